import { type LoginResponse, generateApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { MetricsService } from '../../common/metrics.service.js';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

describe.each(DATABASE_KINDS)('POST /v1/api-keys/lookup on %s', (kind) => {
  const suite = useTestApi(kind);
  const lookup = (token: string, key: string) => suite.api.request('POST', '/v1/api-keys/lookup', { token, body: { key } });

  it('finds the caller’s own key in any status, from the extension too', async () => {
    const { token, email } = await suite.api.signUp();
    const { apiKey, secret } = await suite.api.createKey(token, { name: 'Broker import' });
    await suite.api.request('DELETE', `/v1/api-keys/${apiKey.id}`, { token });
    const ext = (await suite.api.request<LoginResponse>('POST', '/v1/auth/login', { body: { email, password: 'a long enough password', client: 'extension' } }))
      .body.token;
    const own = await lookup(ext, secret);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: apiKey.id, name: 'Broker import', status: 'revoked' });
  });

  it('answers 404 for another user’s key or an unknown one, and counts no failed check', async () => {
    const { token } = await suite.api.signUp();
    const other = await suite.api.signUp();
    const theirs = await suite.api.createKey(other.token);
    const failedChecks = async () => (await suite.api.app.get(MetricsService).keyChecks.get()).values.find((v) => v.labels.result === 'invalid')?.value ?? 0;
    const before = await failedChecks();
    expect((await lookup(token, theirs.secret)).status).toBe(404);
    expect((await lookup(token, generateApiKey('test'))).status).toBe(404);
    expect(await failedChecks()).toBe(before);
  });

  it('answers 400 validation_failed when the key is not key-shaped', async () => {
    const { token } = await suite.api.signUp();
    expect((await lookup(token, 'tt_live_short')).body.code).toBe('validation_failed');
  });

  it('answers 403 session_required to an API key', async () => {
    const { token } = await suite.api.signUp();
    const { secret } = await suite.api.createKey(token);
    expect((await lookup(secret, secret)).body.code).toBe('session_required');
  });
});
