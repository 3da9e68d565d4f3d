import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

describe.each(DATABASE_KINDS)('leak reports with stale credentials on %s', (kind) => {
  const suite = useTestApi(kind);

  it('takes a leak report with a signed-out session token as anonymous (202), and revokes the key', async () => {
    const { token } = await suite.api.signUp();
    const { secret } = await suite.api.createKey(token);
    expect((await suite.api.request('POST', '/v1/auth/logout', { token })).status).toBe(204);
    const report = await suite.api.request('POST', '/v1/leaks', { token, body: { key: secret, source: 'paste' } });
    expect(report.status).toBe(202);
    expect(report.body).toEqual({ received: true });
    const use = await suite.api.request('GET', '/v1/trades', { token: secret });
    expect(use.body.code).toBe('api_key_revoked');
  });

  it('takes a leak report with a made-up token as anonymous (202)', async () => {
    const junk = await suite.api.request('POST', '/v1/leaks', { token: 'tts_made-up', body: { key: 'x', source: 'paste' } });
    expect(junk.status).toBe(202);
  });
});
