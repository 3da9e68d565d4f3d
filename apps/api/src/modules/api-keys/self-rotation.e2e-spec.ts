import type { ApiKey, Notification, Page, RotateApiKeyResponse } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, type TestApi, useTestApi } from '../../testing/harness.js';

/** Self-rotates with `secret`; the answer's body is a RotateApiKeyResponse unless `T` says it is a problem. */
function selfRotate<T = RotateApiKeyResponse>(api: TestApi, secret: string, body: Record<string, unknown> = {}) {
  return api.request<T>('POST', '/v1/api-keys/self/rotate', { token: secret, body });
}

describe.each(DATABASE_KINDS)('self-rotation on %s', (kind) => {
  const suite = useTestApi(kind, { TRUST_PROXY: '1', ROTATION_AGE_DAYS: '90' });

  it('answers 403 self_rotation_disabled to a key that does not allow it', async () => {
    const { token } = await suite.api.signUp();
    const plain = await suite.api.createKey(token);
    const refused = await selfRotate<{ code: string }>(suite.api, plain.secret);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('self_rotation_disabled');
  });

  it('makes a successor with the same settings and a 60-minute grace, then answers 409 not_rotatable', async () => {
    const { token } = await suite.api.signUp();
    const own = await suite.api.createKey(token, { selfRotate: true, allowedIps: ['127.0.0.1', '203.0.113.0/24'] });
    const rotated = await selfRotate(suite.api, own.secret);
    expect(rotated.status).toBe(201);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    expect(rotated.body.apiKey).toMatchObject({ selfRotate: true, allowedIps: ['127.0.0.1', '203.0.113.0/24'] });
    expect(rotated.body.previous).toMatchObject({ id: own.apiKey.id, rotatedToId: rotated.body.apiKey.id });
    const grace = Date.parse(rotated.body.previous.graceEndsAt ?? '') - Date.now();
    expect(grace).toBeGreaterThan(59 * 60_000);
    expect(grace).toBeLessThanOrEqual(60 * 60_000);
    const again = await selfRotate<{ code: string }>(suite.api, own.secret);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('not_rotatable');
  });

  it('keeps both keys working in the grace period, tells the owner, and audits the key as the actor', async () => {
    const { token } = await suite.api.signUp();
    const own = await suite.api.createKey(token, { selfRotate: true });
    const rotated = await selfRotate(suite.api, own.secret);
    expect((await suite.api.request('GET', '/v1/api-keys/self', { token: rotated.body.secret })).status).toBe(200);
    expect((await suite.api.request('GET', '/v1/api-keys/self', { token: own.secret })).status).toBe(200);
    const notes = await suite.api.request<Page<Notification>>('GET', '/v1/notifications', { token });
    const note = notes.body.data.find((n) => n.type === 'key_self_rotated');
    expect(note?.body).toContain(`${rotated.body.apiKey.prefix}…${rotated.body.apiKey.last4}`);
    const audit = await suite.api.request<Page<{ type: string; actor: string }>>('GET', `/v1/audit-events?apiKeyId=${own.apiKey.id}`, { token });
    expect(audit.body.data.find((e) => e.type === 'key.rotated')?.actor).toBe('api_key');
  });

  it('makes exactly one successor from 10 concurrent self-rotations', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey, secret } = await suite.api.createKey(token, { selfRotate: true });
    const answers = await Promise.all(Array.from({ length: 10 }, () => selfRotate(suite.api, secret, { gracePeriodMinutes: 5 })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(9);
    const rows = await suite.api.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM api_keys WHERE rotated_from_id = $1', [apiKey.id]);
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('revokes every self-rotated successor of a leaked key, and leaves a session-made successor alone', async () => {
    const { token } = await suite.api.signUp();
    const a = await suite.api.createKey(token, { selfRotate: true });
    const b = (await selfRotate(suite.api, a.secret, { gracePeriodMinutes: 30 })).body;
    const c = (await selfRotate(suite.api, b.secret, { gracePeriodMinutes: 30 })).body;
    const d = (await suite.api.request<RotateApiKeyResponse>('POST', `/v1/api-keys/${c.apiKey.id}/rotate`, { token, body: { gracePeriodMinutes: 30 } })).body;
    expect((await suite.api.request('POST', '/v1/leaks', { body: { key: a.secret, source: 'manual' } })).status).toBe(202);
    for (const secret of [a.secret, b.secret, c.secret]) {
      expect((await suite.api.request('GET', '/v1/api-keys/self', { token: secret })).body.code).toBe('api_key_revoked');
    }
    expect((await suite.api.request('GET', '/v1/api-keys/self', { token: d.secret })).status).toBe(200);
    const c2 = await suite.api.request<ApiKey>('GET', `/v1/api-keys/${c.apiKey.id}`, { token });
    expect(c2.body.revokeReason).toBe('leak_reported');
  });
});
