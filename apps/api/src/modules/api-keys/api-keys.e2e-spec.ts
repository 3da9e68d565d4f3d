import { type ApiKey, type CreateApiKeyResponse, type RotateApiKeyResponse, ApiKeySchema, generateApiKey, parseApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, startApi, useTestApi } from '../../testing/harness.js';

const DAY = 86_400_000;

describe.each(DATABASE_KINDS)('API keys on %s', (kind) => {
  const suite = useTestApi(kind);

  /** Moves a key's timestamps, as time passing would. */
  async function setTimes(id: string, fields: { expires_at?: Date; grace_ends_at?: Date }): Promise<void> {
    for (const [column, value] of Object.entries(fields)) {
      await suite.api.db.query(`UPDATE api_keys SET ${column} = $1 WHERE id = $2`, [value, id]);
    }
  }

  describe('POST /v1/api-keys', () => {
    it('creates a key shown once, with no-store, that parses and matches its prefix and last4', async () => {
      const { token } = await suite.api.signUp();
      const answer = await suite.api.request<CreateApiKeyResponse>('POST', '/v1/api-keys', { token, body: { name: 'Broker sync', scope: 'read' } });
      expect(answer.status).toBe(201);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const { apiKey, secret } = answer.body;
      expect(ApiKeySchema.parse(apiKey)).toEqual(apiKey);
      const parts = parseApiKey(secret);
      expect(parts?.env).toBe('live');
      expect(apiKey).toMatchObject({
        name: 'Broker sync',
        scope: 'read',
        environment: 'live',
        status: 'active',
        prefix: parts?.prefix,
        last4: parts?.last4,
        expiresAt: null,
      });
      const again = await suite.api.request<ApiKey>('GET', `/v1/api-keys/${apiKey.id}`, { token });
      expect(again.text).not.toContain(secret);
      expect(again.body).not.toHaveProperty('secret');
    });

    it('makes tt_test_ keys for the test environment and keeps a valid expiry', async () => {
      const { token } = await suite.api.signUp();
      const expiresAt = new Date(Date.now() + 30 * DAY).toISOString();
      const { apiKey, secret } = await suite.api.createKey(token, { environment: 'test', scope: 'read_write', expiresAt });
      expect(secret.startsWith('tt_test_')).toBe(true);
      expect(apiKey.expiresAt).toBe(expiresAt);
    });

    it('answers 400 validation_failed for an expiry in the past or beyond 366 days, and stores nothing', async () => {
      const { token } = await suite.api.signUp();
      for (const expiresAt of [new Date(Date.now() - 1000).toISOString(), new Date(Date.now() + 367 * DAY).toISOString(), 'soon']) {
        const answer = await suite.api.request('POST', '/v1/api-keys', { token, body: { name: 'x', scope: 'read', expiresAt } });
        expect(answer.status).toBe(400);
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
        expect(answer.body).toMatchObject({ code: 'validation_failed', status: 400 });
        expect((answer.body.errors as Array<{ path: string }>)[0]?.path).toBe('expiresAt');
      }
      const list = await suite.api.request<{ data: ApiKey[] }>('GET', '/v1/api-keys', { token });
      expect(list.body.data).toEqual([]);
    });

    it('answers 400 for unknown fields, bad scope, empty or long names', async () => {
      const { token } = await suite.api.signUp();
      const bodies = [
        { name: 'x', scope: 'read', scopes: ['read'] },
        { name: 'x', scope: 'admin' },
        { name: '   ', scope: 'read' },
        { name: 'n'.repeat(101), scope: 'read' },
        { scope: 'read' },
      ];
      for (const body of bodies) {
        const answer = await suite.api.request('POST', '/v1/api-keys', { token, body });
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.body.code).toBe('validation_failed');
      }
    });

    it('answers 403 session_required when an API key tries to make keys', async () => {
      const { token } = await suite.api.signUp();
      const { secret } = await suite.api.createKey(token, { scope: 'read_write' });
      const answer = await suite.api.request('POST', '/v1/api-keys', { token: secret, body: { name: 'x', scope: 'read' } });
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('session_required');
    });

    it('answers 401 unauthenticated without credentials', async () => {
      const answer = await suite.api.request('POST', '/v1/api-keys', { body: { name: 'x', scope: 'read' } });
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('unauthenticated');
    });
  });

  describe('GET /v1/api-keys', () => {
    it('lists newest first, pages with a cursor and filters active keys', async () => {
      const { token } = await suite.api.signUp();
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push((await suite.api.createKey(token, { name: `k${i}` })).apiKey.id);
      await suite.api.request('DELETE', `/v1/api-keys/${made[1]}`, { token });
      const first = await suite.api.request<{ data: ApiKey[]; nextCursor: string }>('GET', '/v1/api-keys?limit=2', { token });
      expect(first.body.data.map((k) => k.name)).toEqual(['k4', 'k3']);
      const second = await suite.api.request<{ data: ApiKey[]; nextCursor: string | null }>('GET', `/v1/api-keys?limit=2&cursor=${first.body.nextCursor}`, {
        token,
      });
      expect(second.body.data.map((k) => k.name)).toEqual(['k2', 'k1']);
      const third = await suite.api.request<{ data: ApiKey[]; nextCursor: string | null }>('GET', `/v1/api-keys?limit=2&cursor=${second.body.nextCursor}`, {
        token,
      });
      expect(third.body.data.map((k) => k.name)).toEqual(['k0']);
      expect(third.body.nextCursor).toBeNull();
      const active = await suite.api.request<{ data: ApiKey[] }>('GET', '/v1/api-keys?status=active', { token });
      expect(active.body.data.map((k) => k.name)).toEqual(['k4', 'k3', 'k2', 'k0']);
    });

    it('shows only the caller’s keys and rejects a bad limit or cursor', async () => {
      const alice = await suite.api.signUp();
      const bob = await suite.api.signUp();
      await suite.api.createKey(alice.token);
      expect((await suite.api.request<{ data: ApiKey[] }>('GET', '/v1/api-keys', { token: bob.token })).body.data).toEqual([]);
      expect((await suite.api.request('GET', '/v1/api-keys?limit=201', { token: bob.token })).status).toBe(400);
      expect((await suite.api.request('GET', '/v1/api-keys?cursor=bm9wZQ', { token: bob.token })).body.code).toBe('validation_failed');
      expect((await suite.api.request('GET', '/v1/api-keys?colour=red', { token: bob.token })).status).toBe(400);
    });
  });

  describe('GET /v1/api-keys/:id', () => {
    it('answers 404 not_found for another user’s key, an unknown id and a malformed id', async () => {
      const alice = await suite.api.signUp();
      const bob = await suite.api.signUp();
      const { apiKey } = await suite.api.createKey(alice.token);
      for (const path of [`/v1/api-keys/${apiKey.id}`, '/v1/api-keys/3f1c3a8e-0000-4000-8000-000000000000', '/v1/api-keys/not-an-id']) {
        const answer = await suite.api.request('GET', path, { token: bob.token });
        expect(answer.status).toBe(404);
        expect(answer.body.code).toBe('not_found');
      }
    });
  });

  describe('using a key', () => {
    it('records lastUsedAt at the first use', async () => {
      const { token } = await suite.api.signUp();
      const { apiKey, secret } = await suite.api.createKey(token);
      expect((await suite.api.request('GET', '/v1/trades?limit=1', { token: secret })).status).toBe(200);
      const after = await suite.api.request<ApiKey>('GET', `/v1/api-keys/${apiKey.id}`, { token });
      expect(after.body.lastUsedAt).not.toBeNull();
    });

    it('accepts X-API-Key as well as Authorization: Bearer', async () => {
      const { token } = await suite.api.signUp();
      const { secret } = await suite.api.createKey(token);
      expect((await suite.api.request('GET', '/v1/trades', { headers: { 'x-api-key': secret } })).status).toBe(200);
    });

    it('answers 401 invalid_api_key for a bad checksum, an unknown key and a truncated key', async () => {
      const { token } = await suite.api.signUp();
      const { secret } = await suite.api.createKey(token);
      const last = secret.at(-1) === 'a' ? 'b' : 'a';
      const candidates = [secret.slice(0, -1) + last, generateApiKey('live'), secret.slice(0, 20)]; // bad checksum, never issued, truncated
      for (const candidate of candidates) {
        const answer = await suite.api.request('GET', '/v1/trades', { token: candidate });
        expect(answer.status).toBe(401);
        expect(answer.body.code).toBe('invalid_api_key');
        expect(answer.text).not.toContain(candidate);
      }
    });

    it('answers 401 api_key_expired once expiresAt has passed', async () => {
      const { token } = await suite.api.signUp();
      const { apiKey, secret } = await suite.api.createKey(token, { expiresAt: new Date(Date.now() + DAY).toISOString() });
      await setTimes(apiKey.id, { expires_at: new Date(Date.now() - 1000) });
      const answer = await suite.api.request('GET', '/v1/trades', { token: secret });
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('api_key_expired');
      expect((await suite.api.request<ApiKey>('GET', `/v1/api-keys/${apiKey.id}`, { token })).body.status).toBe('expired');
    });
  });

  describe('DELETE /v1/api-keys/:id', () => {
    it('revokes at once: the very next request gets 401 api_key_revoked, and revoking again answers the same', async () => {
      const { token } = await suite.api.signUp();
      const { apiKey, secret } = await suite.api.createKey(token);
      expect((await suite.api.request('GET', '/v1/trades', { token: secret })).status).toBe(200);
      const revoked = await suite.api.request<ApiKey>('DELETE', `/v1/api-keys/${apiKey.id}`, { token });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ status: 'revoked', revokeReason: 'user' });
      const next = await suite.api.request('GET', '/v1/trades', { token: secret });
      expect(next.status).toBe(401);
      expect(next.body.code).toBe('api_key_revoked');
      const again = await suite.api.request<ApiKey>('DELETE', `/v1/api-keys/${apiKey.id}`, { token });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(revoked.body);
    });

    it('answers 404 for another user’s key and leaves it working', async () => {
      const alice = await suite.api.signUp();
      const bob = await suite.api.signUp();
      const { apiKey, secret } = await suite.api.createKey(alice.token);
      expect((await suite.api.request('DELETE', `/v1/api-keys/${apiKey.id}`, { token: bob.token })).status).toBe(404);
      expect((await suite.api.request('GET', '/v1/trades', { token: secret })).status).toBe(200);
    });

    it('is seen by the very next request on another API instance', async () => {
      const other = await startApi(suite.database.url);
      try {
        const { token } = await suite.api.signUp();
        const { apiKey, secret } = await suite.api.createKey(token);
        expect((await other.request('GET', '/v1/trades', { token: secret })).status).toBe(200);
        await suite.api.request('DELETE', `/v1/api-keys/${apiKey.id}`, { token });
        const next = await other.request('GET', '/v1/trades', { token: secret });
        expect(next.status).toBe(401);
        expect(next.body.code).toBe('api_key_revoked');
      } finally {
        await other.close();
      }
    });
  });

  describe('POST /v1/api-keys/:id/rotate', () => {
    it('with no grace: a successor with the same name, scope and environment, and the old key dead at once', async () => {
      const { token } = await suite.api.signUp();
      const { apiKey, secret } = await suite.api.createKey(token, { name: 'CI', scope: 'read_write', environment: 'test' });
      const answer = await suite.api.request<RotateApiKeyResponse>('POST', `/v1/api-keys/${apiKey.id}/rotate`, { token, body: {} });
      expect(answer.status).toBe(201);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const { apiKey: next, secret: nextSecret, previous } = answer.body;
      expect(next).toMatchObject({ name: 'CI', scope: 'read_write', environment: 'test', rotatedFromId: apiKey.id, status: 'active' });
      expect(nextSecret.startsWith('tt_test_')).toBe(true);
      expect(previous).toMatchObject({ id: apiKey.id, status: 'revoked', revokeReason: 'rotated', rotatedToId: next.id });
      expect((await suite.api.request('GET', '/v1/trades', { token: secret })).body.code).toBe('api_key_revoked');
      expect((await suite.api.request('GET', '/v1/trades', { token: nextSecret })).status).toBe(200);
    });

    it('with a grace period: both keys work until the grace end, then the old one is revoked', async () => {
      const { token } = await suite.api.signUp();
      const { apiKey, secret } = await suite.api.createKey(token);
      const before = Date.now();
      const answer = await suite.api.request<RotateApiKeyResponse>('POST', `/v1/api-keys/${apiKey.id}/rotate`, { token, body: { gracePeriodMinutes: 60 } });
      expect(answer.status).toBe(201);
      const graceEndsAt = Date.parse(answer.body.previous.graceEndsAt ?? '');
      expect(graceEndsAt).toBeGreaterThanOrEqual(before + 60 * 60_000 - 1000);
      expect(graceEndsAt).toBeLessThanOrEqual(Date.now() + 60 * 60_000 + 1000);
      expect(answer.body.previous.status).toBe('active');
      expect((await suite.api.request('GET', '/v1/trades', { token: secret })).status).toBe(200);
      expect((await suite.api.request('GET', '/v1/trades', { token: answer.body.secret })).status).toBe(200);
      await setTimes(apiKey.id, { grace_ends_at: new Date(Date.now() - 1000) });
      const late = await suite.api.request('GET', '/v1/trades', { token: secret });
      expect(late.status).toBe(401);
      expect(late.body.code).toBe('api_key_revoked');
      const shown = await suite.api.request<ApiKey>('GET', `/v1/api-keys/${apiKey.id}`, { token });
      expect(shown.body).toMatchObject({ status: 'revoked', revokeReason: 'rotated' });
    });

    it('keeps the old lifetime from now unless expiresAt is given', async () => {
      const { token } = await suite.api.signUp();
      const { apiKey } = await suite.api.createKey(token, { expiresAt: new Date(Date.now() + 30 * DAY).toISOString() });
      const rotated = await suite.api.request<RotateApiKeyResponse>('POST', `/v1/api-keys/${apiKey.id}/rotate`, { token, body: {} });
      const lifetime = Date.parse(rotated.body.apiKey.expiresAt ?? '') - Date.parse(rotated.body.apiKey.createdAt);
      expect(Math.abs(lifetime - 30 * DAY)).toBeLessThan(5000);
      const chosen = new Date(Date.now() + 7 * DAY).toISOString();
      const again = await suite.api.request<RotateApiKeyResponse>('POST', `/v1/api-keys/${rotated.body.apiKey.id}/rotate`, {
        token,
        body: { expiresAt: chosen },
      });
      expect(again.body.apiKey.expiresAt).toBe(chosen);
    });

    it('answers 409 not_rotatable for a rotated, revoked or expired key; 404 for another user’s; 400 for a bad grace', async () => {
      const alice = await suite.api.signUp();
      const bob = await suite.api.signUp();
      const rotated = await suite.api.createKey(alice.token);
      await suite.api.request('POST', `/v1/api-keys/${rotated.apiKey.id}/rotate`, { token: alice.token, body: { gracePeriodMinutes: 10 } });
      const revoked = await suite.api.createKey(alice.token);
      await suite.api.request('DELETE', `/v1/api-keys/${revoked.apiKey.id}`, { token: alice.token });
      const expired = await suite.api.createKey(alice.token, { expiresAt: new Date(Date.now() + DAY).toISOString() });
      await setTimes(expired.apiKey.id, { expires_at: new Date(Date.now() - 1000) });
      for (const { apiKey } of [rotated, revoked, expired]) {
        const answer = await suite.api.request('POST', `/v1/api-keys/${apiKey.id}/rotate`, { token: alice.token, body: {} });
        expect(answer.status).toBe(409);
        expect(answer.body.code).toBe('not_rotatable');
      }
      const fresh = await suite.api.createKey(alice.token);
      expect((await suite.api.request('POST', `/v1/api-keys/${fresh.apiKey.id}/rotate`, { token: bob.token, body: {} })).status).toBe(404);
      expect(
        (await suite.api.request('POST', `/v1/api-keys/${fresh.apiKey.id}/rotate`, { token: alice.token, body: { gracePeriodMinutes: 10081 } })).status,
      ).toBe(400);
      expect((await suite.api.request('POST', `/v1/api-keys/${fresh.apiKey.id}/rotate`, { token: alice.token, body: { grace: 5 } })).status).toBe(400);
      expect((await suite.api.request<ApiKey>('GET', `/v1/api-keys/${fresh.apiKey.id}`, { token: alice.token })).body.rotatedToId).toBeNull();
    });

    it('yields exactly one successor when rotations of one key race', async () => {
      const { token } = await suite.api.signUp();
      const { apiKey } = await suite.api.createKey(token);
      const answers = await Promise.all(
        Array.from({ length: 12 }, () =>
          suite.api.request<RotateApiKeyResponse>('POST', `/v1/api-keys/${apiKey.id}/rotate`, { token, body: { gracePeriodMinutes: 5 } }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(11);
      const successors = await suite.api.db.query<{ id: string }>('SELECT id FROM api_keys WHERE rotated_from_id = $1', [apiKey.id]);
      expect(successors).toHaveLength(1);
      const winner = answers.find((a) => a.status === 201);
      expect(successors[0]?.id).toBe(winner?.body.apiKey.id);
    });
  });
});
