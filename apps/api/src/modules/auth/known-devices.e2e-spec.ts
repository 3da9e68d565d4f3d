import type { LoginResponse } from '@tradetally/contracts';
import { hashOpaqueToken } from '@tradetally/database';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

const PASSWORD = 'a long enough password';

describe.each(DATABASE_KINDS)('known devices past the account-wide ceiling on %s (security.md "The API, round two")', (kind) => {
  // A low ceiling so a few addresses reach it; one proxy hop names each attempt's address.
  const suite = useTestApi(kind, { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_ACCOUNT: '3', RATE_LIMIT_LOGIN_ACCOUNT_CEILING: '5' });
  const login = (body: Record<string, unknown>, from: string, cookie?: string) =>
    suite.api.request<LoginResponse>('POST', '/v1/auth/login', { body, headers: { 'x-forwarded-for': from, ...(cookie ? { cookie } : {}) } });

  /** An account, signed in once from the owner's browser (cookie) and once from the extension (body token), then guessed at from 5 addresses. */
  async function lockedAccount() {
    const { email } = await suite.api.signUp();
    const browser = await login({ email, password: PASSWORD }, '203.0.113.1');
    const extension = await login({ email, password: PASSWORD, client: 'extension' }, '203.0.113.2');
    expect(browser.status).toBe(200);
    const cookie = /^tt_device=([^;]+)/.exec(browser.headers.get('set-cookie') ?? '')?.[1];
    expect(cookie).toBe(browser.body.deviceToken);
    for (let i = 0; i < 5; i++) expect((await login({ email, password: 'guess' }, `198.51.100.${i + 1}`)).status).toBe(401);
    // The ceiling is reached: an unknown device gets 429 even with the right password.
    const unknown = await login({ email, password: PASSWORD }, '192.0.2.50');
    expect(unknown.status).toBe(429);
    expect(unknown.body).toMatchObject({ code: 'rate_limited' });
    return { email, cookie: `tt_device=${cookie}`, deviceToken: extension.body.deviceToken };
  }

  it('sets tt_device (signed, HttpOnly, SameSite=Strict, 30 days) and answers the same value as deviceToken, stored only as a hash', async () => {
    const { email, userId } = await suite.api.signUp();
    const answer = await login({ email, password: PASSWORD }, '203.0.113.9');
    const setCookie = answer.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^tt_device=ttd_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Max-Age=2592000');
    expect(setCookie).not.toContain('Secure'); // PUBLIC_URL is http here
    // signUp signed in once already (another device); this sign-in's device is stored as its hash.
    const rows = await suite.api.db.query<{ token_hash: string }>('SELECT token_hash FROM known_devices WHERE user_id = $1', [userId]);
    const [random] = answer.body.deviceToken.split('.');
    expect(rows.map((row) => row.token_hash)).toContain(hashOpaqueToken(random!));
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows)).not.toContain(random);
  });

  it('lets the owner sign in from a known device (cookie or deviceToken) while unknown devices get 429', async () => {
    const { email, cookie, deviceToken } = await lockedAccount();
    expect((await login({ email, password: PASSWORD }, '192.0.2.51', cookie)).status).toBe(200);
    expect((await login({ email, password: PASSWORD, client: 'extension', deviceToken }, '192.0.2.52')).status).toBe(200);
    // Still locked for everyone else.
    expect((await login({ email, password: PASSWORD }, '192.0.2.53')).status).toBe(429);
  });

  it('refuses forged device tokens and another account’s device', async () => {
    const { email, deviceToken } = await lockedAccount();
    const [random] = deviceToken.split('.');
    expect((await login({ email, password: PASSWORD, deviceToken: `${random}.${'A'.repeat(43)}` }, '192.0.2.60')).status).toBe(429);
    expect((await login({ email, password: PASSWORD, deviceToken: random }, '192.0.2.61')).status).toBe(429);
    const other = await suite.api.signUp();
    const otherDevice = (await login({ email: other.email, password: PASSWORD }, '203.0.113.70')).body.deviceToken;
    expect((await login({ email, password: PASSWORD, deviceToken: otherDevice }, '192.0.2.62')).status).toBe(429);
  });

  it('keeps a known device’s own (account, address) limit', async () => {
    const { email, deviceToken } = await lockedAccount();
    for (let i = 0; i < 3; i++) expect((await login({ email, password: 'guess', deviceToken }, '192.0.2.80')).status).toBe(401);
    expect((await login({ email, password: PASSWORD, deviceToken }, '192.0.2.80')).status).toBe(429);
  });
});

describe('the device cookie on an https deployment', () => {
  const suite = useTestApi('sqlite', { PUBLIC_URL: 'https://keys.example.test' });

  it('is Secure when PUBLIC_URL is https', async () => {
    const { email } = await suite.api.signUp();
    const answer = await suite.api.request<LoginResponse>('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    expect(answer.headers.get('set-cookie')).toMatch(/; Secure/);
  });
});
