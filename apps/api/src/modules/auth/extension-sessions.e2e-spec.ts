import type { LoginResponse } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, type TestApi, useTestApi } from '../../testing/harness.js';

/** A user with a web session, one key and an extension session. */
async function userWithExtension(api: TestApi): Promise<{ token: string; ext: string; keyId: string }> {
  const { token, email } = await api.signUp();
  const { apiKey } = await api.createKey(token);
  const signIn = await api.request<LoginResponse>('POST', '/v1/auth/login', { body: { email, password: 'a long enough password', client: 'extension' } });
  return { token, ext: signIn.body.token, keyId: apiKey.id };
}

describe.each(DATABASE_KINDS)('extension sessions on %s', (kind) => {
  const suite = useTestApi(kind);

  it('lets an extension session read keys and notifications and report leaks', async () => {
    const { ext, keyId } = await userWithExtension(suite.api);
    expect((await suite.api.request('GET', '/v1/me', { token: ext })).status).toBe(200);
    expect((await suite.api.request('GET', '/v1/api-keys', { token: ext })).status).toBe(200);
    expect((await suite.api.request('GET', `/v1/api-keys/${keyId}`, { token: ext })).status).toBe(200);
    expect((await suite.api.request('GET', '/v1/notifications', { token: ext })).status).toBe(200);
    expect((await suite.api.request('POST', '/v1/leaks', { token: ext, body: { key: 'x', source: 'paste' } })).status).toBe(202);
  });

  it('refuses an extension session everything that manages keys or reads trades (403 insufficient_scope), changing nothing', async () => {
    const { token, ext, keyId } = await userWithExtension(suite.api);
    const refused = [
      await suite.api.request('POST', '/v1/api-keys', { token: ext, body: { name: 'minted', scope: 'read_write' } }),
      await suite.api.request('POST', `/v1/api-keys/${keyId}/rotate`, { token: ext, body: {} }),
      await suite.api.request('DELETE', `/v1/api-keys/${keyId}`, { token: ext }),
      await suite.api.request('GET', '/v1/trades', { token: ext }),
      await suite.api.request('GET', '/v1/audit-events', { token: ext }),
    ];
    for (const answer of refused) {
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('insufficient_scope');
    }
    const keys = await suite.api.request<{ data: Array<{ id: string; status: string }> }>('GET', '/v1/api-keys', { token });
    expect(keys.body.data).toHaveLength(1);
    expect(keys.body.data[0]?.status).toBe('active');
  });
});
