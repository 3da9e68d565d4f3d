import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CreateApiKeyResponse, type LoginResponse, type UserResponse, generateApiKey } from '@tradetally/contracts';
import { hashOpaqueToken } from '@tradetally/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from './common/metrics.service.js';
import { DATABASE_KINDS, type TestApi, type TestDatabase, createTestDatabase, startApi, useTestApi } from './testing/harness.js';

const PASSWORD = 'a long enough password';
const xff = (value: string) => ({ 'x-forwarded-for': value });

/** Sends one leak report from `address` (as the proxy in front would name it) and gives its status. */
async function leakFrom(api: TestApi, forwardedFor: string): Promise<number> {
  return (await api.request('POST', '/v1/leaks', { body: { key: 'nothing', source: 'manual' }, headers: xff(forwardedFor) })).status;
}

describe('the client address with each TRUST_PROXY form, against a spoofed X-Forwarded-For', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    await database.drop();
  });

  const cases: Array<[form: string, env: string]> = [
    ['false (the socket address)', 'false'],
    ['a hop count', '1'],
    ['a proxy list', '127.0.0.1/8,::1'],
  ];

  it.each(cases)('%s: a client cannot leave its rate-limit bucket by writing X-Forwarded-For', async (_form, trustProxy) => {
    const api = await startApi(database.url, { TRUST_PROXY: trustProxy, RATE_LIMIT_LEAKS_PER_ADDRESS: '3' });
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
    const api = await startApi(database.url, { TRUST_PROXY: '1', RATE_LIMIT_LEAKS_PER_ADDRESS: '2' });
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
    const main = join(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
    const run = spawnSync(process.execPath, [main], {
      env: { ...process.env, TRUST_PROXY: 'true', PORT: '0', DATABASE_URL: database.url },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/TRUST_PROXY: .*X-Forwarded-For/);
  });
});

describe.each(DATABASE_KINDS)('failed logins on %s', (kind) => {
  const suite = useTestApi(kind, { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_ACCOUNT: '10', RATE_LIMIT_LOGIN_ACCOUNT_CEILING: '25' });
  const login = (email: string, password: string, from: string) =>
    suite.api.request<LoginResponse>('POST', '/v1/auth/login', { body: { email, password }, headers: xff(from) });

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

  it('upgrades a first-round scrypt hash to argon2id at the next sign-in', async () => {
    const { email, userId } = await suite.api.signUp();
    // The hash the first round stored for "a long enough password" with N=2^15, r=8, p=1.
    const { scryptSync } = await import('node:crypto');
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
    expect((await login(email, PASSWORD, '203.0.113.40')).status).toBe(200);
    const [row] = await suite.api.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [userId]);
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    expect((await login(email, PASSWORD, '203.0.113.40')).status).toBe(200);
  });
});

describe.each(DATABASE_KINDS)('extension sessions and stale credentials on %s', (kind) => {
  const suite = useTestApi(kind);

  it('lets an extension session read keys and report leaks, and nothing that manages keys', async () => {
    const { token, email } = await suite.api.signUp();
    const { apiKey } = await suite.api.createKey(token);
    const signIn = await suite.api.request<LoginResponse>('POST', '/v1/auth/login', { body: { email, password: PASSWORD, client: 'extension' } });
    const ext = signIn.body.token;
    expect((await suite.api.request('GET', '/v1/me', { token: ext })).status).toBe(200);
    expect((await suite.api.request('GET', '/v1/api-keys', { token: ext })).status).toBe(200);
    expect((await suite.api.request('GET', `/v1/api-keys/${apiKey.id}`, { token: ext })).status).toBe(200);
    expect((await suite.api.request('GET', '/v1/notifications', { token: ext })).status).toBe(200);
    expect((await suite.api.request('POST', '/v1/leaks', { token: ext, body: { key: 'x', source: 'paste' } })).status).toBe(202);
    const refused = [
      await suite.api.request('POST', '/v1/api-keys', { token: ext, body: { name: 'minted', scope: 'read_write' } }),
      await suite.api.request('POST', `/v1/api-keys/${apiKey.id}/rotate`, { token: ext, body: {} }),
      await suite.api.request('DELETE', `/v1/api-keys/${apiKey.id}`, { token: ext }),
      await suite.api.request('GET', '/v1/trades', { token: ext }),
      await suite.api.request('GET', '/v1/audit-events', { token: ext }),
    ];
    for (const answer of refused) {
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('insufficient_scope');
    }
    const keys = await suite.api.request<{ data: Array<{ id: string; status: string }> }>('GET', '/v1/api-keys', { token });
    expect(keys.body.data).toHaveLength(1);
    expect(keys.body.data[0]?.status).toBe('active');
  });

  it('takes a leak report with a stale or made-up token as anonymous (202), and revokes the key', async () => {
    const { token } = await suite.api.signUp();
    const { secret } = await suite.api.createKey(token);
    expect((await suite.api.request('POST', '/v1/auth/logout', { token })).status).toBe(204);
    const report = await suite.api.request('POST', '/v1/leaks', { token, body: { key: secret, source: 'paste' } });
    expect(report.status).toBe(202);
    expect(report.body).toEqual({ received: true });
    const junk = await suite.api.request('POST', '/v1/leaks', { token: 'tts_made-up', body: { key: 'x', source: 'paste' } });
    expect(junk.status).toBe(202);
    const use = await suite.api.request('GET', '/v1/trades', { token: secret });
    expect(use.body.code).toBe('api_key_revoked');
  });
});

describe.each(DATABASE_KINDS)('e-mail confirmation on %s', (kind) => {
  const suite = useTestApi(kind, { RATE_LIMIT_EMAIL_RESEND_PER_ACCOUNT: '3' });

  it('shows new users unconfirmed, confirms with a token once, and refuses unknown, used and expired tokens', async () => {
    const { token, userId } = await suite.api.signUp();
    expect((await suite.api.request<UserResponse>('GET', '/v1/me', { token })).body.user.emailVerifiedAt).toBeNull();
    // The worker makes the token and stores its hash; plant one the same way.
    const raw = randomBytes(32).toString('base64url');
    await suite.api.db.query('UPDATE users SET email_token_hash = $1, email_token_expires_at = $2 WHERE id = $3', [
      hashOpaqueToken(raw),
      new Date(Date.now() + 60_000),
      userId,
    ]);
    const bad = await suite.api.request('POST', '/v1/auth/verify-email', { body: { token: 'not-a-token' } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_token');
    const ok = await suite.api.request<UserResponse>('POST', '/v1/auth/verify-email', { body: { token: raw } });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(userId);
    expect(Date.parse(ok.body.user.emailVerifiedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect((await suite.api.request('POST', '/v1/auth/verify-email', { body: { token: raw } })).body.code).toBe('invalid_token');

    const other = await suite.api.signUp();
    const expired = randomBytes(32).toString('base64url');
    await suite.api.db.query('UPDATE users SET email_token_hash = $1, email_token_expires_at = $2 WHERE id = $3', [
      hashOpaqueToken(expired),
      new Date(Date.now() - 1000),
      other.userId,
    ]);
    expect((await suite.api.request('POST', '/v1/auth/verify-email', { body: { token: expired } })).body.code).toBe('invalid_token');
    expect((await suite.api.request<UserResponse>('GET', '/v1/me', { token: other.token })).body.user.emailVerifiedAt).toBeNull();
  });

  it('sends the link again at most 3 times an hour (202, then 429)', async () => {
    const { token } = await suite.api.signUp();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await suite.api.request('POST', '/v1/auth/verify-email/resend', { token })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
  });
});

describe('shared blocks, /metrics, CORS and parser errors', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    await database.drop();
  });

  it('blocks an address on every instance once it passes the failed-check limit, valid keys too', async () => {
    const prefix = `tt-test:${randomBytes(4).toString('hex')}:rl`;
    const env = { RATE_LIMIT_PREFIX: prefix, RATE_LIMIT_KEY_FAILURES_PER_ADDRESS: '5', TRUST_PROXY: '1' };
    const [a, b] = [await startApi(database.url, env), await startApi(database.url, env)];
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

  it('answers /metrics to loopback only, or only to METRICS_TOKEN when it is set; everyone else gets 404', async () => {
    const api = await startApi(database.url, { TRUST_PROXY: '1' });
    try {
      expect((await api.request('GET', '/metrics')).status).toBe(200);
      const remote = await api.request('GET', '/metrics', { headers: xff('203.0.113.50') });
      expect(remote.status).toBe(404);
      expect(remote.body.code).toBe('not_found');
    } finally {
      await api.close();
    }
    const token = randomBytes(16).toString('hex');
    const guarded = await startApi(database.url, { METRICS_TOKEN: token });
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

  it('echoes CORS only to the page, the pinned extension and CORS_ORIGINS', async () => {
    const api = await startApi(database.url, { CORS_ORIGINS: 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba,https://journal.example' });
    try {
      const allowed = async (origin: string) =>
        (await fetch(`${api.url}/v1/leaks`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })).headers.get(
          'access-control-allow-origin',
        );
      expect(await allowed('chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba')).toBe('chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba');
      expect(await allowed('https://journal.example')).toBe('https://journal.example');
      expect(await allowed('chrome-extension://aaaabbbbccccddddaaaabbbbccccdddd')).toBeNull();
      expect(await allowed('https://evil.example')).toBeNull();
    } finally {
      await api.close();
    }
  });

  it('answers a 20 KB header with 431 problem details', async () => {
    const api = await startApi(database.url);
    try {
      const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        const req = httpRequest(`${api.url}/v1/health`, { headers: { 'x-padding': 'x'.repeat(20 * 1024) } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(answer.status).toBe(431);
      expect(answer.type).toContain('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ status: 431, code: 'request_header_too_large' });
    } finally {
      await api.close();
    }
  });
});

describe('leak reports are no timing oracle', () => {
  let database: TestDatabase;
  let api: TestApi;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    api = await startApi(database.url, { LEAK_REPORT_FLOOR_MS: '75' });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('takes as long for a report that revokes a key as for one that matches nothing (median ratio < 1.5)', async () => {
    const { token } = await api.signUp();
    const timed = async (key: string) => {
      const started = performance.now();
      expect((await api.request('POST', '/v1/leaks', { body: { key, source: 'manual' } })).status).toBe(202);
      return performance.now() - started;
    };
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] as number;
    const hits: number[] = [];
    const misses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const { secret } = await api.request<CreateApiKeyResponse>('POST', '/v1/api-keys', { token, body: { name: `t${i}`, scope: 'read' } }).then((a) => a.body);
      hits.push(await timed(secret));
      misses.push(await timed(generateApiKey('live')));
    }
    const ratio = median(hits) / median(misses);
    expect(ratio).toBeLessThan(1.5);
    expect(ratio).toBeGreaterThan(1 / 1.5);
  });
});
