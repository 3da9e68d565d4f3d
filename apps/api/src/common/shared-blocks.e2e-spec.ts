import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startApi, useTestDatabase } from '../testing/harness.js';

const xff = (value: string) => ({ 'x-forwarded-for': value });

describe('blocks shared between instances', () => {
  const suite = useTestDatabase('sqlite');

  it('blocks an address on every instance once it passes the failed-check limit, valid keys too', async () => {
    const prefix = `tt-test:${randomBytes(4).toString('hex')}:rl`;
    const env = { RATE_LIMIT_PREFIX: prefix, RATE_LIMIT_KEY_FAILURES_PER_ADDRESS: '5', TRUST_PROXY: '1' };
    const [a, b] = [await startApi(suite.database.url, env), await startApi(suite.database.url, env)];
    try {
      const { token } = await b.signUp();
      const { secret } = await b.createKey(token);
      const from = xff('198.51.100.99');
      expect((await b.request('GET', '/v1/trades', { token: secret, headers: from })).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await a.request('GET', '/v1/trades', { token: 'tt_live_bogus', headers: from })).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses[6]).toBe(429);
      // Instance b learns the block over Redis: wait for that signal, then a valid key is refused too.
      let answer = await b.request('GET', '/v1/trades', { token: secret, headers: from });
      for (let i = 0; i < 50 && answer.status !== 429; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        answer = await b.request('GET', '/v1/trades', { token: secret, headers: from });
      }
      expect(answer.status).toBe(429);
      expect(answer.body.code).toBe('rate_limited');
      // Other clients are untouched.
      expect((await b.request('GET', '/v1/trades', { token: secret, headers: xff('203.0.113.99') })).status).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
