import type { LoginResponse } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { MetricsService } from '../../common/metrics.service.js';
import { DATABASE_KINDS, type TestApi, useTestApi } from '../../testing/harness.js';

const PASSWORD = 'a long enough password';

/** Signs in from `from`, as the one trusted proxy hop names the client. */
function loginFrom(api: TestApi, email: string, password: string, from: string) {
  return api.request<LoginResponse>('POST', '/v1/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': from } });
}

describe.each(DATABASE_KINDS)('login limits by /64 on %s (security.md "The API, round two")', (kind) => {
  // One proxy hop names the client, so the test chooses each attempt's address.
  const suite = useTestApi(kind, { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_ACCOUNT: '5', RATE_LIMIT_LOGIN_ACCOUNT_CEILING: '1000' });
  const login = (email: string, password: string, from: string) => loginFrom(suite.api, email, password, from);

  it('counts the (account, address) pair of an IPv6 client by its /64: new addresses in the same /64 get no new guesses', async () => {
    const { email } = await suite.api.signUp();
    // Five guesses, each from a different address of one /64 (a subscriber's whole allocation).
    for (let i = 1; i <= 5; i++) expect((await login(email, 'guess', `2001:db8:aa:bb::${i.toString(16)}`)).status).toBe(401);
    const sixth = await login(email, 'guess', '2001:db8:aa:bb:ffff:1:2:3');
    expect(sixth.status).toBe(429);
    expect(sixth.body).toMatchObject({ code: 'rate_limited' });
    // Another /64 is another pair: the owner elsewhere still signs in.
    expect((await login(email, PASSWORD, '2001:db8:aa:cc::1')).status).toBe(200);
  });
});

describe.each(DATABASE_KINDS)('failed logins on %s', (kind) => {
  const suite = useTestApi(kind, { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_ACCOUNT: '10', RATE_LIMIT_LOGIN_ACCOUNT_CEILING: '25' });
  const login = (email: string, password: string, from: string) => loginFrom(suite.api, email, password, from);

  it('checks at most 10 of 40 concurrent wrong passwords from one address; the rest answer 429 without a hash', async () => {
    const { email } = await suite.api.signUp();
    const checks = suite.api.app.get(MetricsService).passwordChecks;
    const before = (await checks.get()).values[0]?.value ?? 0;
    const answers = await Promise.all(Array.from({ length: 40 }, () => login(email, 'wrong password', '198.51.100.20')));
    const after = (await checks.get()).values[0]?.value ?? 0;
    expect(after - before).toBeLessThanOrEqual(10);
    expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(10);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(30);
    const limited = answers.find((a) => a.status === 429);
    expect(limited?.body).toMatchObject({ code: 'rate_limited' });
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('lets the owner sign in from another address while an attacker is locked out', async () => {
    const { email } = await suite.api.signUp();
    for (let i = 0; i < 10; i++) expect((await login(email, 'guess', '198.51.100.30')).status).toBe(401);
    expect((await login(email, PASSWORD, '198.51.100.30')).status).toBe(429);
    expect((await login(email, PASSWORD, '203.0.113.30')).status).toBe(200);
  });

  it('stops a distributed guess at the account-wide ceiling', async () => {
    const { email } = await suite.api.signUp();
    for (let i = 0; i < 25; i++) expect((await login(email, 'guess', `198.51.${100 + i}.1`)).status).toBe(401);
    expect((await login(email, 'guess', '192.0.2.77')).status).toBe(429);
  });
});
