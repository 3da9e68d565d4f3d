import type { ApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

const SELF_FIELDS = [
  'allowedIps',
  'createdAt',
  'environment',
  'expiresAt',
  'graceEndsAt',
  'id',
  'last4',
  'name',
  'prefix',
  'rotatedToId',
  'rotationDueAt',
  'scope',
  'selfRotate',
  'status',
];

describe.each(DATABASE_KINDS)('what a key sees of itself on %s', (kind) => {
  const suite = useTestApi(kind);

  it('GET /v1/api-keys/self answers the key’s settings, never where or by what it was last used', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey, secret } = await suite.api.createKey(token, { selfRotate: true });
    const used = await suite.api.request('GET', '/v1/trades', { token: secret, headers: { 'user-agent': 'real-integration/4.2' } });
    expect(used.status).toBe(200);
    const owner = await suite.api.request<ApiKey>('GET', `/v1/api-keys/${apiKey.id}`, { token });
    expect(owner.body).toMatchObject({ lastUsedIp: '127.0.0.1', lastUsedUserAgent: 'real-integration/4.2' });
    const self = await suite.api.request<Record<string, unknown>>('GET', '/v1/api-keys/self', { token: secret });
    expect(self.status).toBe(200);
    expect(Object.keys(self.body).sort()).toEqual(SELF_FIELDS);
    expect(self.text).not.toContain('real-integration');
    expect(self.body).toMatchObject({ id: apiKey.id, status: 'active', selfRotate: true });
  });

  it('the self-rotation answer shows both keys the same way, linked by rotatedFromId, never where or by what they were used', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey, secret } = await suite.api.createKey(token, { selfRotate: true });
    await suite.api.request('GET', '/v1/trades', { token: secret, headers: { 'user-agent': 'real-integration/4.2' } });
    const rotated = await suite.api.request<{ apiKey: Record<string, unknown>; previous: Record<string, unknown> }>('POST', '/v1/api-keys/self/rotate', {
      token: secret,
      body: {},
    });
    expect(rotated.status).toBe(201);
    const rotatedFields = [...SELF_FIELDS, 'rotatedFromId'].sort();
    expect(Object.keys(rotated.body.apiKey).sort()).toEqual(rotatedFields);
    expect(Object.keys(rotated.body.previous).sort()).toEqual(rotatedFields);
    expect(rotated.body.apiKey).toMatchObject({ rotatedFromId: apiKey.id });
    expect(rotated.text).not.toContain('real-integration');
    expect(rotated.text).not.toContain('127.0.0.1');
  });
});
