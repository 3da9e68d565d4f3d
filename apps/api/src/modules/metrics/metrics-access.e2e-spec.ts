import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startApi, useTestDatabase } from '../../testing/harness.js';

describe('who may read /metrics', () => {
  const suite = useTestDatabase('sqlite');

  it('answers /metrics to loopback only when METRICS_TOKEN is unset; a remote client gets 404', async () => {
    const api = await startApi(suite.database.url, { TRUST_PROXY: '1' });
    try {
      expect((await api.request('GET', '/metrics')).status).toBe(200);
      const remote = await api.request('GET', '/metrics', { headers: { 'x-forwarded-for': '203.0.113.50' } });
      expect(remote.status).toBe(404);
      expect(remote.body.code).toBe('not_found');
    } finally {
      await api.close();
    }
  });

  it('answers /metrics only to METRICS_TOKEN when it is set; no token or a wrong one gets 404', async () => {
    const token = randomBytes(16).toString('hex');
    const guarded = await startApi(suite.database.url, { METRICS_TOKEN: token });
    try {
      expect((await guarded.request('GET', '/metrics')).status).toBe(404);
      expect((await guarded.request('GET', '/metrics', { token: 'wrong-token-wrong-token' })).status).toBe(404);
      const scraped = await guarded.request('GET', '/metrics', { token });
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain('tradetally_http_requests_total');
    } finally {
      await guarded.close();
    }
  });
});
