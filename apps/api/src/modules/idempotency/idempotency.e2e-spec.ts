import { randomUUID } from 'node:crypto';
import type { CreateApiKeyResponse, Page, Trade } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, trade, useTestApi } from '../../testing/harness.js';

describe.each(DATABASE_KINDS)('Idempotency-Key over HTTP on %s', (kind) => {
  const suite = useTestApi(kind);

  async function writer() {
    const { token } = await suite.api.signUp();
    const key = await suite.api.createKey(token, { scope: 'read_write' });
    return { token, secret: key.secret, keyId: key.apiKey.id };
  }
  const post = (path: string, token: string, body: unknown, idempotencyKey?: string) =>
    suite.api.request<Trade & { code?: string }>('POST', path, { token, body, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });
  const trades = async (token: string) => (await suite.api.request<Page<Trade>>('GET', '/v1/trades?limit=100', { token })).body.data;
  const rows = async (scope: string) => (await suite.api.db.query('SELECT status FROM idempotency_keys WHERE scope = $1', [scope])).length;

  it('answers the same key and body with the first answer again, marked replayed, and writes once', async () => {
    const { secret, keyId } = await writer();
    const key = randomUUID();
    const first = await post('/v1/trades', secret, trade(), key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post('/v1/trades', secret, trade(), key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await trades(secret)).map((t) => t.id)).toEqual([first.body.id]);
    expect(await rows(`key:${keyId}`)).toBe(1);
    // Without a key, or with another key, the same body is a new write.
    expect((await post('/v1/trades', secret, trade())).headers.get('idempotent-replayed')).toBeNull();
    expect((await post('/v1/trades', secret, trade(), randomUUID())).body.id).not.toBe(first.body.id);
    expect(await trades(secret)).toHaveLength(3);
  });

  it('refuses the same key with another body or on another route: 422 idempotency_key_reused, nothing written', async () => {
    const { secret } = await writer();
    const key = randomUUID();
    expect((await post('/v1/trades', secret, trade(), key)).status).toBe(201);
    const other = await post('/v1/trades', secret, trade({ quantity: 11 }), key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const elsewhere = await post('/v1/trades/import', secret, { trades: [trade()] }, key);
    expect(elsewhere.status).toBe(422);
    expect(await trades(secret)).toHaveLength(1);
  });

  it('runs one of concurrent duplicates: one 201, the others 409 idempotency_in_progress or its replay', async () => {
    const { secret } = await writer();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 8 }, () => post('/v1/trades', secret, trade(), key)));
    const fresh = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(1);
    for (const answer of answers) {
      if (answer.status === 409) expect(answer.body.code).toBe('idempotency_in_progress');
      else expect({ status: answer.status, id: answer.body.id }).toEqual({ status: 201, id: fresh[0]!.body.id });
    }
    expect(await trades(secret)).toHaveLength(1);
    // Once the first is done, the key answers its answer.
    expect((await post('/v1/trades', secret, trade(), key)).body.id).toBe(fresh[0]!.body.id);
  });

  it('keeps keys per credential: another user, or another key of the same user, with the same key writes on its own', async () => {
    const alice = await writer();
    const bob = await writer();
    const key = randomUUID();
    const a = await post('/v1/trades', alice.secret, trade(), key);
    const b = await post('/v1/trades', bob.secret, trade(), key);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(b.body.id).not.toBe(a.body.id);
    expect((await trades(bob.secret)).map((t) => t.id)).toEqual([b.body.id]);
    // A session is its user's credential: its answer is not a key's.
    const bySession = await post('/v1/trades', alice.token, trade(), key);
    expect(bySession.status).toBe(201);
    expect(bySession.headers.get('idempotent-replayed')).toBeNull();
    expect(await trades(alice.secret)).toHaveLength(2);
  });

  it('frees the key of a request that failed, so the corrected request may use it', async () => {
    const { secret } = await writer();
    const key = randomUUID();
    const invalid = await post('/v1/trades', secret, trade({ quantity: -1 }), key);
    expect(invalid.status).toBe(400);
    const retried = await post('/v1/trades', secret, trade({ quantity: -1 }), key);
    expect(retried.status).toBe(400);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await trades(secret)).toHaveLength(0);
  });

  it('replays a created API key with its secret but stores neither the secret nor the Idempotency-Key', async () => {
    const { token } = await suite.api.signUp();
    const key = `create-${randomUUID()}`;
    const body = { name: 'ci importer', scope: 'read' };
    const first = await suite.api.request<CreateApiKeyResponse>('POST', '/v1/api-keys', { token, body, headers: { 'idempotency-key': key } });
    const again = await suite.api.request<CreateApiKeyResponse>('POST', '/v1/api-keys', { token, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.secret).toBe(first.body.secret);
    const list = await suite.api.request<Page<unknown>>('GET', '/v1/api-keys', { token });
    expect(list.body.data).toHaveLength(1);
    const stored = JSON.stringify(await suite.api.db.query('SELECT * FROM idempotency_keys'));
    expect(stored).not.toContain(first.body.secret);
    expect(stored).not.toContain(first.body.secret.slice(-20));
    expect(stored).not.toContain(key);
    expect(stored).not.toContain('ci importer');
  });

  it('refuses a malformed Idempotency-Key with 400 and writes nothing', async () => {
    const { secret } = await writer();
    for (const bad of ['x'.repeat(256), 'with space']) {
      const answer = await post('/v1/trades', secret, trade(), bad);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
    }
    expect(await trades(secret)).toHaveLength(0);
  });
});
