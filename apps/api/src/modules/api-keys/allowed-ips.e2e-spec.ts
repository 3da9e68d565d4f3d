import type { ApiKey, Page } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

describe.each(DATABASE_KINDS)('allowedIps normalisation on %s', (kind) => {
  const suite = useTestApi(kind);

  it('stores IPv4-mapped IPv6 entries as IPv4, so they match an IPv4 client', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey, secret } = await suite.api.createKey(token, { allowedIps: ['::ffff:127.0.0.1', '::ffff:198.51.100.0/120', '2001:db8::/32'] });
    expect(apiKey.allowedIps).toEqual(['127.0.0.1', '198.51.100.0/24', '2001:db8::/32']);
    // The test client reaches the API over IPv4 loopback.
    expect((await suite.api.request('GET', '/v1/trades', { token: secret })).status).toBe(200);
    const patched = await suite.api.request<ApiKey>('PATCH', `/v1/api-keys/${apiKey.id}`, { token, body: { allowedIps: ['::ffff:10.0.0.0/104'] } });
    expect(patched.body.allowedIps).toEqual(['10.0.0.0/8']);
  });

  it.each(['10.1.2.3/8', '127.0.0.5/0', '::/0', '2001:db8::1/32', '::ffff:127.0.0.5/96'])(
    'refuses %s with 400 validation_failed and creates nothing',
    async (entry) => {
      const { token } = await suite.api.signUp();
      const created = await suite.api.request('POST', '/v1/api-keys', { token, body: { name: 'pinned', scope: 'read', allowedIps: ['203.0.113.7', entry] } });
      expect(created.status).toBe(400);
      expect(created.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'allowedIps.1' }] });
      expect((await suite.api.request<Page<ApiKey>>('GET', '/v1/api-keys', { token })).body.data).toEqual([]);
    },
  );

  it('refuses a /0 or host bits on PATCH and leaves the key as it was', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey } = await suite.api.createKey(token, { allowedIps: ['203.0.113.7'] });
    for (const entry of ['0.0.0.0/0', '10.1.2.3/8']) {
      const patched = await suite.api.request('PATCH', `/v1/api-keys/${apiKey.id}`, { token, body: { allowedIps: [entry] } });
      expect(patched.status).toBe(400);
      expect(patched.body).toMatchObject({ code: 'validation_failed' });
    }
    expect((await suite.api.request<ApiKey>('GET', `/v1/api-keys/${apiKey.id}`, { token })).body.allowedIps).toEqual(['203.0.113.7']);
  });
});

describe.each(DATABASE_KINDS)('allowedIps checks on %s', (kind) => {
  const suite = useTestApi(kind, { TRUST_PROXY: '1' });
  const xff = (value: string) => ({ 'x-forwarded-for': value });

  it('answers 403 ip_not_allowed outside allowedIps (client address as TRUST_PROXY says), including IPv6 CIDRs', async () => {
    const { token } = await suite.api.signUp();
    const { secret } = await suite.api.createKey(token, { allowedIps: ['203.0.113.7', '2001:db8:aa::/48'] });
    expect((await suite.api.request('GET', '/v1/trades', { token: secret, headers: xff('203.0.113.7') })).status).toBe(200);
    expect((await suite.api.request('GET', '/v1/trades', { token: secret, headers: xff('2001:db8:aa:1::9') })).status).toBe(200);
    for (const from of ['203.0.113.8', '2001:db8:ab::1', '198.51.100.1, 203.0.113.9']) {
      const answer = await suite.api.request('GET', '/v1/trades', { token: secret, headers: xff(from) });
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('ip_not_allowed');
    }
    // The client writes the left part of X-Forwarded-For; only the proxy's entry counts.
    expect((await suite.api.request('GET', '/v1/trades', { token: secret, headers: xff('203.0.113.7, 198.51.100.1') })).body.code).toBe('ip_not_allowed');
    const listed = await suite.api.request<Page<ApiKey>>('GET', '/v1/api-keys', { token });
    expect(listed.body.data[0]?.lastUsedIp).toBe('203.0.113.7');
  });

  it('refuses bad allowedIps, and selfRotate on a canary, with 400 validation_failed', async () => {
    const { token } = await suite.api.signUp();
    const bad = [
      { name: 'x', scope: 'read', allowedIps: ['10.0.0.300'] },
      { name: 'x', scope: 'read', allowedIps: ['10.0.0.0/33'] },
      { name: 'x', scope: 'read', allowedIps: [] },
      { name: 'x', scope: 'read', allowedIps: Array.from({ length: 21 }, (_, i) => `10.0.0.${i}`) },
      { name: 'x', scope: 'read', canary: true, selfRotate: true },
    ];
    for (const body of bad) {
      const answer = await suite.api.request('POST', '/v1/api-keys', { token, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
    }
  });
});
