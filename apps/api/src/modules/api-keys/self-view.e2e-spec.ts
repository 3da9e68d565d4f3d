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

describe.each(DATABASE_KINDS)('GET /v1/api-keys/self with ROTATION_AGE_DAYS on %s', (kind) => {
  const suite = useTestApi(kind, { TRUST_PROXY: '1', ROTATION_AGE_DAYS: '90' });

  it('answers the key itself, with its rotation due ROTATION_AGE_DAYS after creation', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey, secret } = await suite.api.createKey(token, { scope: 'read' });
    const self = await suite.api.request<ApiKey>('GET', '/v1/api-keys/self', { token: secret, headers: { 'user-agent': 'broker-sync/1.2' } });
    expect(self.status).toBe(200);
    expect(self.body.id).toBe(apiKey.id);
    expect(self.body).toMatchObject({ selfRotate: false, allowedIps: null });
    // Where and by what the key was last used is the owner's to see, not the key holder's.
    expect(self.body).not.toHaveProperty('lastUsedUserAgent');
    expect((await suite.api.request<ApiKey>('GET', `/v1/api-keys/${apiKey.id}`, { token })).body.lastUsedUserAgent).toBe('broker-sync/1.2');
    expect(Date.parse(self.body.rotationDueAt ?? '') - Date.parse(self.body.createdAt)).toBe(90 * 86_400_000);
  });

  it('answers 403 api_key_required to a session', async () => {
    const { token } = await suite.api.signUp();
    const bySession = await suite.api.request('GET', '/v1/api-keys/self', { token });
    expect(bySession.status).toBe(403);
    expect(bySession.body.code).toBe('api_key_required');
  });
});
