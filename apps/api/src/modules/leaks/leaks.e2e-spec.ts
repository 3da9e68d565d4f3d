import { type ApiKey, type AuditEvent, type Notification, type Page, generateApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

describe.each(DATABASE_KINDS)('leak reports on %s', (kind) => {
  const suite = useTestApi(kind);

  it('revokes a reported key at once (anonymous report), with an audit event and a notification', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey, secret } = await suite.api.createKey(token, { name: 'Broker sync' });
    const answer = await suite.api.request('POST', '/v1/leaks', { body: { key: secret, url: `https://forum.example/t/42?k=${secret}`, source: 'page' } });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ received: true });
    const next = await suite.api.request('GET', '/v1/trades', { token: secret });
    expect(next.status).toBe(401);
    expect(next.body.code).toBe('api_key_revoked');
    const shown = await suite.api.request<ApiKey>('GET', `/v1/api-keys/${apiKey.id}`, { token });
    expect(shown.body).toMatchObject({ status: 'revoked', revokeReason: 'leak_reported' });
    const events = await suite.api.request<Page<AuditEvent>>('GET', `/v1/audit-events?apiKeyId=${apiKey.id}`, { token });
    const leak = events.body.data.find((e) => e.type === 'key.leak_reported');
    expect(leak).toMatchObject({ actor: 'leak_report', details: { source: 'page', seenAt: 'https://forum.example/t/42', reporter: 'anonymous' } });
    expect(JSON.stringify(events.body)).not.toContain(secret);
    const notifications = await suite.api.request<Page<Notification>>('GET', '/v1/notifications', { token });
    const note = notifications.body.data.find((n) => n.type === 'key_leaked');
    expect(note).toMatchObject({ apiKeyId: apiKey.id, readAt: null });
    expect(note?.body).toContain(`${apiKey.prefix}…${apiKey.last4}`);
    expect(note?.body).not.toContain(secret);
  });

  it('answers a miss exactly like a hit: the route is no oracle', async () => {
    const hit = await suite.api.request('POST', '/v1/leaks', {
      body: { key: (await suite.api.createKey((await suite.api.signUp()).token)).secret, source: 'manual' },
    });
    const miss = await suite.api.request('POST', '/v1/leaks', { body: { key: generateApiKey('live'), source: 'manual' } });
    const junk = await suite.api.request('POST', '/v1/leaks', { body: { key: 'tt_live_not-a-key', source: 'manual' } });
    for (const answer of [hit, miss, junk]) {
      expect(answer.status).toBe(202);
      expect(answer.text).toBe('{"received":true}');
    }
  });

  it('finds every valid key in a text, and tells the owner’s session which of theirs it revoked', async () => {
    const alice = await suite.api.signUp();
    const bob = await suite.api.signUp();
    const a1 = await suite.api.createKey(alice.token);
    const a2 = await suite.api.createKey(alice.token, { environment: 'test' });
    const b1 = await suite.api.createKey(bob.token);
    const valid = generateApiKey('live');
    const lookalike = `${valid.slice(0, -1)}${valid.endsWith('a') ? 'b' : 'a'}`; // checksum fails
    const text = `config:\n  key: ${a1.secret}\n  other=${a2.secret};\nbob said ${b1.secret}. fake ${lookalike}`;
    const answer = await suite.api.request<{ received: true; revoked: string[] }>('POST', '/v1/leaks', { token: alice.token, body: { text, source: 'paste' } });
    expect(answer.status).toBe(202);
    expect(answer.body.revoked.sort()).toEqual([a1.apiKey.id, a2.apiKey.id].sort());
    for (const secret of [a1.secret, a2.secret, b1.secret]) {
      expect((await suite.api.request('GET', '/v1/trades', { token: secret })).body.code).toBe('api_key_revoked');
    }
    const again = await suite.api.request('POST', '/v1/leaks', { token: alice.token, body: { text, source: 'paste' } });
    expect(again.body).toEqual({ received: true, revoked: [] });
  });

  it('refuses a malformed report with 400 and revokes nothing', async () => {
    const { token } = await suite.api.signUp();
    const { secret } = await suite.api.createKey(token);
    for (const body of [{ source: 'manual' }, { key: secret, source: 'email' }, { key: secret, source: 'paste', note: 'x' }, { key: secret }]) {
      const answer = await suite.api.request('POST', '/v1/leaks', { body });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
      expect(answer.text).not.toContain(secret);
    }
    expect((await suite.api.request('GET', '/v1/trades', { token: secret })).status).toBe(200);
  });

  it('takes a 1 MiB text and refuses a larger one with 400 or 413', async () => {
    const { token } = await suite.api.signUp();
    const { secret } = await suite.api.createKey(token);
    const filler = 'lorem ipsum '.repeat(87_000);
    const fits = `${filler.slice(0, 1024 * 1024 - 60)} ${secret}`;
    expect((await suite.api.request('POST', '/v1/leaks', { body: { text: fits, source: 'page' } })).status).toBe(202);
    expect((await suite.api.request('GET', '/v1/trades', { token: secret })).status).toBe(401);
    const tooLong = await suite.api.request('POST', '/v1/leaks', { body: { text: 'x'.repeat(1024 * 1024 + 1), source: 'page' } });
    expect(tooLong.status).toBe(400);
    const tooBig = await suite.api.request('POST', '/v1/leaks', {
      raw: JSON.stringify({ text: 'é'.repeat(3 * 1024 * 1024), source: 'page' }),
      contentType: 'application/json',
    });
    expect(tooBig.status).toBe(413);
  });
});
