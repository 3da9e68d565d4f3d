import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

const PASSWORD = 'a long enough password';

describe.each(DATABASE_KINDS)('password hash upgrade on %s', (kind) => {
  const suite = useTestApi(kind, { TRUST_PROXY: '1' });
  const login = (email: string, password: string) =>
    suite.api.request('POST', '/v1/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': '203.0.113.40' } });

  it('upgrades a first-round scrypt hash to argon2id at the next sign-in', async () => {
    const { email, userId } = await suite.api.signUp();
    // The hash the first round stored for "a long enough password" with N=2^15, r=8, p=1.
    const salt = randomBytes(16);
    const legacy = [
      'scrypt',
      32768,
      8,
      1,
      salt.toString('base64url'),
      scryptSync(PASSWORD, salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('base64url'),
    ].join('$');
    await suite.api.db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [legacy, userId]);
    expect((await login(email, PASSWORD)).status).toBe(200);
    const [row] = await suite.api.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [userId]);
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    expect((await login(email, PASSWORD)).status).toBe(200);
  });
});
