import type { ApiKey, Page } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

describe.each(DATABASE_KINDS)('PATCH /v1/api-keys/:id on %s', (kind) => {
  const suite = useTestApi(kind);

  it('changes name and allowedIps (null clears them), refuses bad values, and audits each change', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey } = await suite.api.createKey(token, { name: 'before' });
    const patched = await suite.api.request<ApiKey>('PATCH', `/v1/api-keys/${apiKey.id}`, { token, body: { name: 'after', allowedIps: ['10.1.0.0/16'] } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'after', allowedIps: ['10.1.0.0/16'] });
    const cleared = await suite.api.request<ApiKey>('PATCH', `/v1/api-keys/${apiKey.id}`, { token, body: { allowedIps: null } });
    expect(cleared.body.allowedIps).toBeNull();
    expect((await suite.api.request('PATCH', `/v1/api-keys/${apiKey.id}`, { token, body: { allowedIps: ['nope'] } })).body.code).toBe('validation_failed');
    expect((await suite.api.request('PATCH', `/v1/api-keys/${apiKey.id}`, { token, body: {} })).body.code).toBe('validation_failed');
    const audit = await suite.api.request<Page<{ type: string }>>('GET', `/v1/audit-events?apiKeyId=${apiKey.id}`, { token });
    expect(audit.body.data.filter((e) => e.type === 'key.updated')).toHaveLength(2);
  });

  it('answers 404 to another user, and changes nothing', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey } = await suite.api.createKey(token, { name: 'mine' });
    const stranger = await suite.api.signUp();
    const foreign = await suite.api.request('PATCH', `/v1/api-keys/${apiKey.id}`, { token: stranger.token, body: { name: 'mine now' } });
    expect(foreign.status).toBe(404);
    expect((await suite.api.request<ApiKey>('GET', `/v1/api-keys/${apiKey.id}`, { token })).body.name).toBe('mine');
  });
});
