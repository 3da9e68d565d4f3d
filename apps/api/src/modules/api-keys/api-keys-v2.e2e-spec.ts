import {
  type ApiKey,
  type LoginResponse,
  type Notification,
  type Page,
  type RotateApiKeyResponse,
  type UsageResponse,
  generateApiKey,
} from '@tradetally/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '../../common/metrics.service.js';
import { DATABASE_KINDS, type TestApi, type TestDatabase, createTestDatabase, startApi, useTestApi } from '../../testing/harness.js';

const xff = (value: string) => ({ 'x-forwarded-for': value });

describe.each(DATABASE_KINDS)('API keys, version 2, on %s', (kind) => {
  const suite = useTestApi(kind, { TRUST_PROXY: '1', ROTATION_AGE_DAYS: '90' });
  const api = () => suite.api;

  it('answers GET /v1/api-keys/self to the key itself, and 403 api_key_required to a session', async () => {
    const { token } = await api().signUp();
    const { apiKey, secret } = await api().createKey(token, { scope: 'read' });
    const self = await api().request<ApiKey>('GET', '/v1/api-keys/self', { token: secret, headers: { 'user-agent': 'broker-sync/1.2' } });
    expect(self.status).toBe(200);
    expect(self.body.id).toBe(apiKey.id);
    expect(self.body).toMatchObject({ selfRotate: false, allowedIps: null });
    // Where and by what the key was last used is the owner's to see, not the key holder's.
    expect(self.body).not.toHaveProperty('lastUsedUserAgent');
    expect((await api().request<ApiKey>('GET', `/v1/api-keys/${apiKey.id}`, { token })).body.lastUsedUserAgent).toBe('broker-sync/1.2');
    expect(Date.parse(self.body.rotationDueAt ?? '') - Date.parse(self.body.createdAt)).toBe(90 * 86_400_000);
    const bySession = await api().request('GET', '/v1/api-keys/self', { token });
    expect(bySession.status).toBe(403);
    expect(bySession.body.code).toBe('api_key_required');
  });

  it('self-rotates only keys that allow it: 403 self_rotation_disabled, 201 with a 60-minute grace, then 409', async () => {
    const { token } = await api().signUp();
    const plain = await api().createKey(token);
    const refused = await api().request('POST', '/v1/api-keys/self/rotate', { token: plain.secret, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('self_rotation_disabled');

    const own = await api().createKey(token, { selfRotate: true, allowedIps: ['127.0.0.1', '203.0.113.0/24'] });
    const rotated = await api().request<RotateApiKeyResponse>('POST', '/v1/api-keys/self/rotate', { token: own.secret, body: {} });
    expect(rotated.status).toBe(201);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    expect(rotated.body.apiKey).toMatchObject({ selfRotate: true, allowedIps: ['127.0.0.1', '203.0.113.0/24'] });
    expect(rotated.body.previous).toMatchObject({ id: own.apiKey.id, rotatedToId: rotated.body.apiKey.id });
    const grace = Date.parse(rotated.body.previous.graceEndsAt ?? '') - Date.now();
    expect(grace).toBeGreaterThan(59 * 60_000);
    expect(grace).toBeLessThanOrEqual(60 * 60_000);
    const again = await api().request('POST', '/v1/api-keys/self/rotate', { token: own.secret, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('not_rotatable');
    // Both work during the grace period; the owner is told and the audit names the key as actor.
    expect((await api().request('GET', '/v1/api-keys/self', { token: rotated.body.secret })).status).toBe(200);
    expect((await api().request('GET', '/v1/api-keys/self', { token: own.secret })).status).toBe(200);
    const notes = await api().request<Page<Notification>>('GET', '/v1/notifications', { token });
    const note = notes.body.data.find((n) => n.type === 'key_self_rotated');
    expect(note?.body).toContain(`${rotated.body.apiKey.prefix}…${rotated.body.apiKey.last4}`);
    const audit = await api().request<Page<{ type: string; actor: string }>>('GET', `/v1/audit-events?apiKeyId=${own.apiKey.id}`, { token });
    expect(audit.body.data.find((e) => e.type === 'key.rotated')?.actor).toBe('api_key');
  });

  it('makes exactly one successor from 10 concurrent self-rotations', async () => {
    const { token } = await api().signUp();
    const { apiKey, secret } = await api().createKey(token, { selfRotate: true });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => api().request('POST', '/v1/api-keys/self/rotate', { token: secret, body: { gracePeriodMinutes: 5 } })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(9);
    const rows = await api().db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM api_keys WHERE rotated_from_id = $1', [apiKey.id]);
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('revokes every self-rotated successor of a leaked key, and leaves a session-made successor alone', async () => {
    const { token } = await api().signUp();
    const a = await api().createKey(token, { selfRotate: true });
    const b = (await api().request<RotateApiKeyResponse>('POST', '/v1/api-keys/self/rotate', { token: a.secret, body: { gracePeriodMinutes: 30 } })).body;
    const c = (await api().request<RotateApiKeyResponse>('POST', '/v1/api-keys/self/rotate', { token: b.secret, body: { gracePeriodMinutes: 30 } })).body;
    const d = (await api().request<RotateApiKeyResponse>('POST', `/v1/api-keys/${c.apiKey.id}/rotate`, { token, body: { gracePeriodMinutes: 30 } })).body;
    expect((await api().request('POST', '/v1/leaks', { body: { key: a.secret, source: 'manual' } })).status).toBe(202);
    for (const secret of [a.secret, b.secret, c.secret]) {
      expect((await api().request('GET', '/v1/api-keys/self', { token: secret })).body.code).toBe('api_key_revoked');
    }
    expect((await api().request('GET', '/v1/api-keys/self', { token: d.secret })).status).toBe(200);
    const c2 = await api().request<ApiKey>('GET', `/v1/api-keys/${c.apiKey.id}`, { token });
    expect(c2.body.revokeReason).toBe('leak_reported');
  });

  it('answers 403 ip_not_allowed outside allowedIps (client address as TRUST_PROXY says), including IPv6 CIDRs', async () => {
    const { token } = await api().signUp();
    const { secret } = await api().createKey(token, { allowedIps: ['203.0.113.7', '2001:db8:aa::/48'] });
    expect((await api().request('GET', '/v1/trades', { token: secret, headers: xff('203.0.113.7') })).status).toBe(200);
    expect((await api().request('GET', '/v1/trades', { token: secret, headers: xff('2001:db8:aa:1::9') })).status).toBe(200);
    for (const from of ['203.0.113.8', '2001:db8:ab::1', '198.51.100.1, 203.0.113.9']) {
      const answer = await api().request('GET', '/v1/trades', { token: secret, headers: xff(from) });
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('ip_not_allowed');
    }
    // The client writes the left part of X-Forwarded-For; only the proxy's entry counts.
    expect((await api().request('GET', '/v1/trades', { token: secret, headers: xff('203.0.113.7, 198.51.100.1') })).body.code).toBe('ip_not_allowed');
    const listed = await api().request<Page<ApiKey>>('GET', '/v1/api-keys', { token });
    expect(listed.body.data[0]?.lastUsedIp).toBe('203.0.113.7');
  });

  it('refuses bad allowedIps, selfRotate on a canary, and PATCHes name and allowedIps (null clears), never another user’s key', async () => {
    const { token } = await api().signUp();
    const bad = [
      { name: 'x', scope: 'read', allowedIps: ['10.0.0.300'] },
      { name: 'x', scope: 'read', allowedIps: ['10.0.0.0/33'] },
      { name: 'x', scope: 'read', allowedIps: [] },
      { name: 'x', scope: 'read', allowedIps: Array.from({ length: 21 }, (_, i) => `10.0.0.${i}`) },
      { name: 'x', scope: 'read', canary: true, selfRotate: true },
    ];
    for (const body of bad) {
      const answer = await api().request('POST', '/v1/api-keys', { token, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
    }
    const { apiKey } = await api().createKey(token, { name: 'before' });
    const patched = await api().request<ApiKey>('PATCH', `/v1/api-keys/${apiKey.id}`, { token, body: { name: 'after', allowedIps: ['10.1.0.0/16'] } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'after', allowedIps: ['10.1.0.0/16'] });
    const cleared = await api().request<ApiKey>('PATCH', `/v1/api-keys/${apiKey.id}`, { token, body: { allowedIps: null } });
    expect(cleared.body.allowedIps).toBeNull();
    expect((await api().request('PATCH', `/v1/api-keys/${apiKey.id}`, { token, body: { allowedIps: ['nope'] } })).body.code).toBe('validation_failed');
    expect((await api().request('PATCH', `/v1/api-keys/${apiKey.id}`, { token, body: {} })).body.code).toBe('validation_failed');
    const stranger = await api().signUp();
    const foreign = await api().request('PATCH', `/v1/api-keys/${apiKey.id}`, { token: stranger.token, body: { name: 'mine now' } });
    expect(foreign.status).toBe(404);
    expect((await api().request<ApiKey>('GET', `/v1/api-keys/${apiKey.id}`, { token })).body.name).toBe('after');
    const audit = await api().request<Page<{ type: string }>>('GET', `/v1/audit-events?apiKeyId=${apiKey.id}`, { token });
    expect(audit.body.data.filter((e) => e.type === 'key.updated')).toHaveLength(2);
  });

  it('looks up the caller’s own key in any status, 404 for another’s or an unknown one, 400 when not key-shaped, and counts no failure', async () => {
    const { token, email } = await api().signUp();
    const { apiKey, secret } = await api().createKey(token, { name: 'Broker import' });
    await api().request('DELETE', `/v1/api-keys/${apiKey.id}`, { token });
    const ext = (await api().request<LoginResponse>('POST', '/v1/auth/login', { body: { email, password: 'a long enough password', client: 'extension' } }))
      .body.token;
    const own = await api().request<ApiKey>('POST', '/v1/api-keys/lookup', { token: ext, body: { key: secret } });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: apiKey.id, name: 'Broker import', status: 'revoked' });
    const other = await api().signUp();
    const theirs = await api().createKey(other.token);
    const failedChecks = async () => (await api().app.get(MetricsService).keyChecks.get()).values.find((v) => v.labels.result === 'invalid')?.value ?? 0;
    const before = await failedChecks();
    expect((await api().request('POST', '/v1/api-keys/lookup', { token, body: { key: theirs.secret } })).status).toBe(404);
    expect((await api().request('POST', '/v1/api-keys/lookup', { token, body: { key: generateApiKey('test') } })).status).toBe(404);
    expect(await failedChecks()).toBe(before);
    expect((await api().request('POST', '/v1/api-keys/lookup', { token, body: { key: 'tt_live_short' } })).body.code).toBe('validation_failed');
    expect((await api().request('POST', '/v1/api-keys/lookup', { token: theirs.secret, body: { key: theirs.secret } })).body.code).toBe('session_required');
  });
});

describe.each(DATABASE_KINDS)('canary keys on %s', (kind) => {
  const suite = useTestApi(kind, { TRUST_PROXY: '1' });

  it('answers a canary exactly as an unknown key, and writes one audit event per use with where it came from', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey, secret } = await suite.api.createKey(token, { name: 'decoy', canary: true });
    expect(apiKey).toMatchObject({ canary: true, rotationDueAt: null });
    // One Request-Id for both, so their problem details' requestId is the same too.
    const canary = await suite.api.request('GET', '/v1/trades?limit=1', {
      token: secret,
      headers: { ...xff('198.51.100.66'), 'user-agent': 'curl/8.0', 'request-id': 'canary-or-unknown' },
    });
    const unknown = await suite.api.request('GET', '/v1/trades?limit=1', { token: generateApiKey('live'), headers: { 'request-id': 'canary-or-unknown' } });
    expect(canary.status).toBe(401);
    expect(canary.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
    expect(canary.text).toBe(unknown.text);
    for (let i = 0; i < 19; i++) await suite.api.request('GET', `/v1/trades?n=${i}`, { token: secret, headers: xff('198.51.100.66') });
    // The audit writes are not awaited by the request (timing); wait for all twenty.
    let events: Array<{ type: string; details: Record<string, unknown> }> = [];
    for (let i = 0; i < 100 && events.length < 20; i++) {
      events = (
        await suite.api.request<Page<{ type: string; details: Record<string, unknown> }>>('GET', `/v1/audit-events?apiKeyId=${apiKey.id}&limit=200`, { token })
      ).body.data.filter((e) => e.type === 'key.canary_triggered');
      if (events.length < 20) await new Promise((r) => setTimeout(r, 50));
    }
    expect(events).toHaveLength(20);
    expect(events.at(-1)?.details).toMatchObject({ ip: '198.51.100.66', userAgent: 'curl/8.0', method: 'GET', path: '/v1/trades' });
    const rotate = await suite.api.request('POST', `/v1/api-keys/${apiKey.id}/rotate`, { token, body: {} });
    expect(rotate.status).toBe(409);
    expect(rotate.body.code).toBe('not_rotatable');
  });
});

describe.each(DATABASE_KINDS)('usage counts on %s', (kind) => {
  let database: TestDatabase;
  let a: TestApi;
  let b: TestApi;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    a = await startApi(database.url, { USAGE_FLUSH_SECONDS: '1' });
    b = await startApi(database.url, { USAGE_FLUSH_SECONDS: '1' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('counts accepted and rejected uses over two instances exactly, with zero days, and a restart adds nothing twice', async () => {
    const { token } = await a.signUp();
    const { apiKey, secret } = await a.createKey(token, { scope: 'read' });
    const N = 23;
    const M = 7;
    for (let i = 0; i < N; i++) expect((await (i % 2 ? a : b).request('GET', '/v1/trades?limit=1', { token: secret })).status).toBe(200);
    for (let i = 0; i < M; i++) expect((await (i % 2 ? a : b).request('POST', '/v1/trades', { token: secret, body: {} })).body.code).toBe('insufficient_scope');
    const usage = async () => (await a.request<UsageResponse>('GET', `/v1/api-keys/${apiKey.id}/usage?days=7`, { token })).body.data;
    let days = await usage();
    for (let i = 0; i < 100 && (days.at(-1)?.requests !== N || days.at(-1)?.rejected !== M); i++) {
      await new Promise((r) => setTimeout(r, 100));
      days = await usage();
    }
    expect(days).toHaveLength(7);
    expect(days.at(-1)).toEqual({ date: new Date().toISOString().slice(0, 10), requests: N, rejected: M });
    expect(days.slice(0, 6).every((d) => d.requests === 0 && d.rejected === 0)).toBe(true);
    expect(days.map((d) => d.date)).toEqual([...days.map((d) => d.date)].sort());
    // Stopping an instance flushes what it has; a flush of nothing adds nothing; counts stay exact.
    await b.close();
    b = await startApi(database.url, { USAGE_FLUSH_SECONDS: '1' });
    const flushed = await b.app.get((await import('../../common/usage-counter.service.js')).UsageCounter).flush();
    expect(flushed).toBe(0);
    expect((await usage()).at(-1)).toEqual({ date: new Date().toISOString().slice(0, 10), requests: N, rejected: M });
    expect((await a.request('GET', `/v1/api-keys/${apiKey.id}/usage?days=91`, { token })).body.code).toBe('validation_failed');
  });
});
