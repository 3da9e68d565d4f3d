import { type Page, generateApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

type AuditEvent = { type: string; details: Record<string, unknown> };
const xff = (value: string) => ({ 'x-forwarded-for': value });

describe.each(DATABASE_KINDS)('canary keys on %s', (kind) => {
  const suite = useTestApi(kind, { TRUST_PROXY: '1' });

  it('answers a canary exactly as an unknown key', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey, secret } = await suite.api.createKey(token, { name: 'decoy', canary: true });
    expect(apiKey).toMatchObject({ canary: true, rotationDueAt: null });
    // One Request-Id for both, so their problem details' requestId is the same too.
    const canary = await suite.api.request('GET', '/v1/trades?limit=1', {
      token: secret,
      headers: { ...xff('198.51.100.66'), 'user-agent': 'curl/8.0', 'request-id': 'canary-or-unknown' },
    });
    const unknown = await suite.api.request('GET', '/v1/trades?limit=1', { token: generateApiKey('live'), headers: { 'request-id': 'canary-or-unknown' } });
    expect(canary.status).toBe(401);
    expect(canary.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
    expect(canary.text).toBe(unknown.text);
  });

  it('writes one audit event per use of a canary, with where it came from', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey, secret } = await suite.api.createKey(token, { name: 'decoy', canary: true });
    await suite.api.request('GET', '/v1/trades?limit=1', { token: secret, headers: { ...xff('198.51.100.66'), 'user-agent': 'curl/8.0' } });
    for (let i = 0; i < 19; i++) await suite.api.request('GET', `/v1/trades?n=${i}`, { token: secret, headers: xff('198.51.100.66') });
    // The audit writes are not awaited by the request (timing); wait for all twenty.
    let events: AuditEvent[] = [];
    for (let i = 0; i < 100 && events.length < 20; i++) {
      events = (await suite.api.request<Page<AuditEvent>>('GET', `/v1/audit-events?apiKeyId=${apiKey.id}&limit=200`, { token })).body.data.filter(
        (e) => e.type === 'key.canary_triggered',
      );
      if (events.length < 20) await new Promise((r) => setTimeout(r, 50));
    }
    expect(events).toHaveLength(20);
    expect(events.at(-1)?.details).toMatchObject({ ip: '198.51.100.66', userAgent: 'curl/8.0', method: 'GET', path: '/v1/trades' });
  });

  it('refuses to rotate a canary (409 not_rotatable)', async () => {
    const { token } = await suite.api.signUp();
    const { apiKey } = await suite.api.createKey(token, { name: 'decoy', canary: true });
    const rotate = await suite.api.request('POST', `/v1/api-keys/${apiKey.id}/rotate`, { token, body: {} });
    expect(rotate.status).toBe(409);
    expect(rotate.body.code).toBe('not_rotatable');
  });
});
