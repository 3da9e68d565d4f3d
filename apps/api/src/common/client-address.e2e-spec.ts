import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type TestApi, startApi, useTestDatabase } from '../testing/harness.js';

/** Sends one leak report from `address` (as the proxy in front would name it) and gives its status. */
async function leakFrom(api: TestApi, forwardedFor: string): Promise<number> {
  return (await api.request('POST', '/v1/leaks', { body: { key: 'nothing', source: 'manual' }, headers: { 'x-forwarded-for': forwardedFor } })).status;
}

describe('the client address with each TRUST_PROXY form, against a spoofed X-Forwarded-For', () => {
  const suite = useTestDatabase('sqlite');

  const cases: Array<[form: string, env: string]> = [
    ['false (the socket address)', 'false'],
    ['a hop count', '1'],
    ['a proxy list', '127.0.0.1/8,::1'],
  ];

  it.each(cases)('%s: a client cannot leave its rate-limit bucket by writing X-Forwarded-For', async (_form, trustProxy) => {
    const api = await startApi(suite.database.url, { TRUST_PROXY: trustProxy, RATE_LIMIT_LEAKS_PER_ADDRESS: '3' });
    try {
      // The proxy appends the real client (203.0.113.9) to whatever the client sent.
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push(await leakFrom(api, `198.51.100.${i}, 203.0.113.9`));
      expect(statuses).toEqual([202, 202, 202, 429, 429]);
      if (trustProxy !== 'false') {
        // Another real client behind the same proxy has a bucket of its own.
        expect(await leakFrom(api, '203.0.113.10')).toBe(202);
      }
    } finally {
      await api.close();
    }
  });

  it('counts IPv6 clients by their /64: a new address in the same /64 is the same client', async () => {
    const api = await startApi(suite.database.url, { TRUST_PROXY: '1', RATE_LIMIT_LEAKS_PER_ADDRESS: '2' });
    try {
      expect(await leakFrom(api, '2001:db8:7:7::1')).toBe(202);
      expect(await leakFrom(api, '2001:db8:7:7::2')).toBe(202);
      expect(await leakFrom(api, '2001:db8:7:7:ffff::3')).toBe(429);
      expect(await leakFrom(api, '2001:db8:7:8::1')).toBe(202);
    } finally {
      await api.close();
    }
  });

  it('refuses to start with TRUST_PROXY=true, naming the variable', () => {
    const main = join(dirname(fileURLToPath(import.meta.url)), '../../dist/main.js');
    const run = spawnSync(process.execPath, [main], {
      env: { ...process.env, TRUST_PROXY: 'true', PORT: '0', DATABASE_URL: suite.database.url },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/TRUST_PROXY: .*X-Forwarded-For/);
  });
});
