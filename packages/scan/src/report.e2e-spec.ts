import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuiltApi, startBuiltApi } from '@tradetally/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey, runCli } from './testing/cli.js';

// The real API, built (turbo's test task for this package builds it first: see turbo.json here),
// on a free loopback port and a fresh SQLite file.
let api: BuiltApi | undefined;
let apiUrl: string;
let dir: string;

async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tt-scan-report-'));
  api = await startBuiltApi({
    databaseUrl: `sqlite:${join(dir, 'api.sqlite')}`,
    env: {
      TT_KEY_PEPPER: 'scan-test-pepper-that-is-at-least-32-characters',
      WEB_DIST: join(dir, 'no-web'),
      RATE_LIMIT_REGISTER_PER_ADDRESS: '100000',
      RATE_LIMIT_LOGIN_PER_ADDRESS: '100000',
      RATE_LIMIT_LEAKS_PER_ADDRESS: '100000',
    },
  });
  apiUrl = api.url;
});

afterAll(async () => {
  await api?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('tradetally-scan --report', () => {
  it('sends each live key found to the API, which revokes it; prints only how many', async () => {
    const email = `scanner-${randomBytes(4).toString('hex')}@example.com`;
    const password = 'a long enough password';
    expect((await call('POST', '/v1/auth/register', { email, password })).status).toBe(201);
    const { body: login } = await call<{ token: string }>('POST', '/v1/auth/login', { email, password });
    const create = (environment: 'live' | 'test') =>
      call<{ secret: string; apiKey: { id: string } }>('POST', '/v1/api-keys', { name: `k-${environment}`, scope: 'read', environment }, login.token);
    const live = (await create('live')).body;
    const test = (await create('test')).body;
    const unknown = newKey('live'); // valid, never issued: reported all the same (the API is no oracle)
    const tree = join(dir, 'tree');
    await mkdir(tree);
    await writeFile(join(tree, '.env'), `LIVE=${live.secret}\nTEST=${test.secret}\nOTHER=${unknown}\n`);
    // The keys the API made must never show either.
    const run = await runCli(['--report', '--api', apiUrl, '.'], { cwd: tree });
    for (const secret of [live.secret, test.secret]) {
      expect(run.stdout).not.toContain(secret.slice(12, -4));
      expect(run.stderr).not.toContain(secret.slice(12, -4));
    }
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/reported 2 live keys to http:\/\/127\.0\.0\.1:\d+/);
    const shown = (id: string) => call<{ status: string; revokeReason: string | null }>('GET', `/v1/api-keys/${id}`, undefined, login.token);
    expect((await shown(live.apiKey.id)).body).toMatchObject({ status: 'revoked', revokeReason: 'leak_reported' });
    expect((await shown(test.apiKey.id)).body.status).toBe('active'); // only live keys are reported
    expect((await call('GET', '/v1/trades', undefined, live.secret)).status).toBe(401);
  });

  it('reads the API from TRADETALLY_API_URL, and exits 2 when it cannot reach it', async () => {
    const tree = await mkdtemp(join(dir, 'unreachable-'));
    await writeFile(join(tree, 'k.txt'), newKey('live'));
    const run = await runCli(['--report', '.'], { cwd: tree, env: { TRADETALLY_API_URL: 'http://127.0.0.1:9' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/v1\/leaks/);
  });

  it('sends nothing without --report', async () => {
    const tree = await mkdtemp(join(dir, 'quiet-'));
    await writeFile(join(tree, 'k.txt'), newKey('live'));
    const run = await runCli(['.'], { cwd: tree, env: { TRADETALLY_API_URL: 'http://127.0.0.1:9' } });
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/reported|cannot reach/);
  });
});
