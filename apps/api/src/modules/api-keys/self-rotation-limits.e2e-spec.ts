import type { ApiKey, SelfRotateResponse } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, type TestApi, useTestApi } from '../../testing/harness.js';

const PER_HOUR = 3;

function selfRotate(api: TestApi, secret: string, body: Record<string, unknown> = {}) {
  return api.request<SelfRotateResponse>('POST', '/v1/api-keys/self/rotate', { token: secret, body });
}

describe.each(DATABASE_KINDS)('self-rotation limits on %s', (kind) => {
  const suite = useTestApi(kind, { SELF_ROTATE_PER_HOUR: String(PER_HOUR) });

  it(`answers 429 rate_limited with Retry-After after ${PER_HOUR} self-rotations of a lineage in an hour`, async () => {
    const { token } = await suite.api.signUp();
    let secret = (await suite.api.createKey(token, { selfRotate: true })).secret;
    for (let i = 0; i < PER_HOUR; i++) {
      const rotated = await selfRotate(suite.api, secret);
      expect(rotated.status).toBe(201);
      secret = rotated.body.secret;
    }
    const refused = await selfRotate(suite.api, secret);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'rate_limited' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // Refused means unchanged: the key is not rotated and still works.
    const self = await suite.api.request<ApiKey>('GET', '/v1/api-keys/self', { token: secret });
    expect(self.body).toMatchObject({ status: 'active', rotatedToId: null });
  });

  it(`8 clients rotating at once never get more than ${PER_HOUR} rotations`, async () => {
    const { token } = await suite.api.signUp();
    let newest = (await suite.api.createKey(token, { selfRotate: true })).secret;
    let rotations = 0;
    const client = async () => {
      for (;;) {
        const answer = await selfRotate(suite.api, newest);
        if (answer.status === 201) {
          rotations++;
          newest = answer.body.secret;
        } else if (answer.status === 429) return;
        else expect(answer.status).toBe(409);
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    expect(rotations).toBe(PER_HOUR);
  });

  it('the limit is per lineage: the owner’s session rotation starts a new one that may self-rotate', async () => {
    const { token } = await suite.api.signUp();
    const first = await suite.api.createKey(token, { selfRotate: true });
    let secret = first.secret;
    let id = first.apiKey.id;
    for (let i = 0; i < PER_HOUR; i++) {
      const rotated = await selfRotate(suite.api, secret);
      secret = rotated.body.secret;
      id = rotated.body.apiKey.id;
    }
    expect((await selfRotate(suite.api, secret)).status).toBe(429);
    const bySession = await suite.api.request<{ secret: string }>('POST', `/v1/api-keys/${id}/rotate`, { token, body: {} });
    expect(bySession.status).toBe(201);
    expect((await selfRotate(suite.api, bySession.body.secret)).status).toBe(201);
  });

  it('refuses a self-rotation grace over 24 hours (400 validation_failed); the owner’s session may give up to 7 days', async () => {
    const { token } = await suite.api.signUp();
    const key = await suite.api.createKey(token, { selfRotate: true });
    const tooLong = await selfRotate(suite.api, key.secret, { gracePeriodMinutes: 1441 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'gracePeriodMinutes' }] });
    expect((await suite.api.request<ApiKey>('GET', '/v1/api-keys/self', { token: key.secret })).body.rotatedToId).toBeNull();
    const day = await selfRotate(suite.api, key.secret, { gracePeriodMinutes: 1440 });
    expect(day.status).toBe(201);
    const week = await suite.api.request('POST', `/v1/api-keys/${day.body.apiKey.id}/rotate`, { token, body: { gracePeriodMinutes: 10080 } });
    expect(week.status).toBe(201);
  });
});
