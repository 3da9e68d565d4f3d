import type { LoginResponse, UserResponse } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

const PASSWORD = 'twelve chars or more';

describe.each(DATABASE_KINDS)('users and sessions on %s', (kind) => {
  const suite = useTestApi(kind);

  it('registers (201, e-mail lower-cased), refuses the same e-mail again (409 email_taken)', async () => {
    const answer = await suite.api.request<UserResponse>('POST', '/v1/auth/register', { body: { email: 'Mixed.Case@Example.com', password: PASSWORD } });
    expect(answer.status).toBe(201);
    expect(answer.body.user).toMatchObject({ email: 'mixed.case@example.com' });
    expect(answer.body.user).not.toHaveProperty('passwordHash');
    const again = await suite.api.request('POST', '/v1/auth/register', { body: { email: 'mixed.case@example.com', password: PASSWORD } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('email_taken');
  });

  it('refuses short passwords, bad e-mails and unknown fields with field errors', async () => {
    const cases = [
      { email: 'a@example.com', password: 'short' },
      { email: 'not-an-email', password: PASSWORD },
      { email: 'b@example.com', password: PASSWORD, admin: true },
    ];
    for (const body of cases) {
      const answer = await suite.api.request<{ code: string; errors: unknown[] }>('POST', '/v1/auth/register', { body });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
      expect(answer.body.errors.length).toBeGreaterThan(0);
    }
  });

  it('stores the password only as an argon2id hash at OWASP parameters', async () => {
    const { email } = await suite.api.signUp();
    const [row] = await suite.api.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = $1', [email]);
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(row?.password_hash).not.toContain('a long enough password');
  });

  it('logs in with a session token that expires in 7 days, and answers /v1/me', async () => {
    const email = `ann-${Date.now()}@example.com`;
    await suite.api.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD } });
    const login = await suite.api.request<LoginResponse>('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.body.token.startsWith('tt_')).toBe(false);
    const days = (Date.parse(login.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    const me = await suite.api.request<UserResponse>('GET', '/v1/me', { token: login.body.token });
    expect(me.body.user.email).toBe(email);
    const [stored] = await suite.api.db.query<{ token_hash: string }>('SELECT token_hash FROM sessions WHERE user_id = $1', [me.body.user.id]);
    expect(stored?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.token_hash).not.toBe(login.body.token);
  });

  it('answers 401 invalid_credentials the same way for a wrong password and an unknown e-mail', async () => {
    const { email } = await suite.api.signUp();
    // One Request-Id for both, so their problem details' requestId is the same too.
    const headers = { 'request-id': 'wrong-or-unknown' };
    const wrong = await suite.api.request('POST', '/v1/auth/login', { body: { email, password: 'not the password' }, headers });
    const unknown = await suite.api.request('POST', '/v1/auth/login', { body: { email: 'nobody@example.com', password: 'not the password' }, headers });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.code).toBe('invalid_credentials');
  });

  it('ends a session at logout (204); the token then gets 401', async () => {
    const { token } = await suite.api.signUp();
    expect((await suite.api.request('POST', '/v1/auth/logout', { token })).status).toBe(204);
    const after = await suite.api.request('GET', '/v1/me', { token });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('unauthenticated');
  });

  it('answers 401 for no credentials, a made-up token and a malformed Authorization header', async () => {
    expect((await suite.api.request('GET', '/v1/me')).body.code).toBe('unauthenticated');
    expect((await suite.api.request('GET', '/v1/me', { token: 'tts_made-up' })).body.code).toBe('unauthenticated');
    expect((await suite.api.request('GET', '/v1/me', { headers: { authorization: 'Basic YTpi' } })).status).toBe(401);
  });

  it('answers 403 session_required when an API key calls /v1/me or logout', async () => {
    const { token } = await suite.api.signUp();
    const { secret } = await suite.api.createKey(token, { scope: 'read_write' });
    expect((await suite.api.request('GET', '/v1/me', { token: secret })).body.code).toBe('session_required');
    expect((await suite.api.request('POST', '/v1/auth/logout', { token: secret })).body.code).toBe('session_required');
  });
});
