import type { LoginResponse } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

const PASSWORD = 'a long enough password';

describe.each(DATABASE_KINDS)('login limits by /64 on %s (security.md "The API, round two")', (kind) => {
  // One proxy hop names the client, so the test chooses each attempt's address.
  const suite = useTestApi(kind, { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_ACCOUNT: '5', RATE_LIMIT_LOGIN_ACCOUNT_CEILING: '1000' });
  const login = (email: string, password: string, from: string) =>
    suite.api.request<LoginResponse>('POST', '/v1/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': from } });

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
