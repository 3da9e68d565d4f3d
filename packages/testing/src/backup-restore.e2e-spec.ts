// The backup-and-restore runbook of docs/operations.md, run as written against the built API: an
// online backup taken while the API runs, restored into another database, works with its pepper,
// and without it leaves no working key.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type TestDatabase, createTestDatabase, databaseKinds } from '@tradetally/database/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type BuiltApi, startBuiltApi } from './index.js';

const run = promisify(execFile);
const KINDS = await databaseKinds();
const PEPPER = 'backup-test-pepper-that-is-32-characters-long';
const OTHER_PEPPER = 'another-pepper-than-the-one-the-keys-were-made-with';

const dir = mkdtempSync(join(tmpdir(), 'tt-backup-'));
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function database(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const db = await createTestDatabase(kind);
  cleanups.push(() => db.drop());
  return db;
}

async function api(databaseUrl: string, pepper: string): Promise<BuiltApi> {
  const started = await startBuiltApi({
    databaseUrl,
    env: { TT_KEY_PEPPER: pepper, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', WEB_DIST: join(dir, 'no-settings-page') },
  });
  cleanups.push(() => started.stop());
  return started;
}

async function call(
  base: string,
  method: string,
  path: string,
  credential?: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(credential ? { authorization: `Bearer ${credential}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A user with a key and one trade made with it; answers the key. */
async function keyWithATrade(base: string): Promise<string> {
  const account = { email: `backup-${Date.now()}@example.com`, password: 'a long enough password' };
  expect((await call(base, 'POST', '/v1/auth/register', undefined, account)).status).toBe(201);
  const { token } = (await call(base, 'POST', '/v1/auth/login', undefined, account)).json as { token: string };
  const { secret } = (await call(base, 'POST', '/v1/api-keys', token, { name: 'monitoring', scope: 'read_write' })).json as { secret: string };
  const trade = { symbol: 'AAPL', side: 'buy', quantity: 1, price: 100, executedAt: '2026-11-02T14:30:00Z' };
  expect((await call(base, 'POST', '/v1/trades', secret, trade)).status).toBe(201);
  return secret;
}

describe.each(KINDS)('backup and restore on %s, as docs/operations.md says', (kind) => {
  it('a key made before the backup works after a restore with its pepper, and answers 401 invalid_api_key with another pepper', async () => {
    const source = await database(kind);
    const target = await database(kind);
    const before = await api(source.url, PEPPER);
    const key = await keyWithATrade(before.url);

    // Taken while the API runs, as the runbook's commands are meant to be.
    const backup = join(dir, `${kind}.backup`);
    if (kind === 'sqlite') {
      await run('sqlite3', [source.file!, `.backup '${backup}'`]);
      expect((await run('sqlite3', [backup, 'PRAGMA integrity_check'])).stdout.trim()).toBe('ok');
    } else {
      await run('pg_dump', ['--format=custom', `--file=${backup}`, source.url]);
    }
    await before.stop();
    if (kind === 'sqlite') copyFileSync(backup, target.file!);
    else await run('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${target.url}`, backup]);

    const restored = await api(target.url, PEPPER);
    expect(await call(restored.url, 'GET', '/v1/api-keys/self', key)).toMatchObject({ status: 200, json: { name: 'monitoring' } });
    expect((await call(restored.url, 'GET', '/v1/trades', key)).json).toMatchObject({ data: [{ symbol: 'AAPL' }] });
    await restored.stop();

    const withoutItsPepper = await api(target.url, OTHER_PEPPER);
    expect(await call(withoutItsPepper.url, 'GET', '/v1/api-keys/self', key)).toMatchObject({ status: 401, json: { code: 'invalid_api_key' } });
  });
});
