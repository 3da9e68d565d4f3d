import { randomBytes } from 'node:crypto';
import type { UserResponse } from '@tradetally/contracts';
import { hashOpaqueToken } from '@tradetally/database';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, type TestApi, useTestApi } from '../../testing/harness.js';

/** Plants a confirmation token for `userId` the way the worker does (its hash, and an expiry); gives the raw token. */
async function plantToken(api: TestApi, userId: string, expiresInMs: number): Promise<string> {
  const raw = randomBytes(32).toString('base64url');
  await api.db.query('UPDATE users SET email_token_hash = $1, email_token_expires_at = $2 WHERE id = $3', [
    hashOpaqueToken(raw),
    new Date(Date.now() + expiresInMs),
    userId,
  ]);
  return raw;
}

describe.each(DATABASE_KINDS)('e-mail confirmation on %s', (kind) => {
  const suite = useTestApi(kind, { RATE_LIMIT_EMAIL_RESEND_PER_ACCOUNT: '3' });
  const verify = <T = { code?: string }>(token: string) => suite.api.request<T>('POST', '/v1/auth/verify-email', { body: { token } });

  it('shows new users unconfirmed, confirms with a token once, and refuses the used token', async () => {
    const { token, userId } = await suite.api.signUp();
    expect((await suite.api.request<UserResponse>('GET', '/v1/me', { token })).body.user.emailVerifiedAt).toBeNull();
    const raw = await plantToken(suite.api, userId, 60_000);
    const ok = await verify<UserResponse>(raw);
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(userId);
    expect(Date.parse(ok.body.user.emailVerifiedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect((await verify(raw)).body.code).toBe('invalid_token');
  });

  it('refuses an unknown token with 400 invalid_token', async () => {
    const bad = await verify('not-a-token');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_token');
  });

  it('refuses an expired token and leaves the address unconfirmed', async () => {
    const other = await suite.api.signUp();
    const expired = await plantToken(suite.api, other.userId, -1000);
    expect((await verify(expired)).body.code).toBe('invalid_token');
    expect((await suite.api.request<UserResponse>('GET', '/v1/me', { token: other.token })).body.user.emailVerifiedAt).toBeNull();
  });

  it('sends the link again at most 3 times an hour (202, then 429)', async () => {
    const { token } = await suite.api.signUp();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await suite.api.request('POST', '/v1/auth/verify-email/resend', { token })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
  });
});
