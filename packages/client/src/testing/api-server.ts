import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type TestDatabase, createTestDatabase, databaseKinds } from '@tradetally/database/testing';

/** The built API this package's tests run against (`npm run build -w @tradetally/api` first). */
export const API_MAIN = fileURLToPath(new URL('../../../../apps/api/dist/main.js', import.meta.url));

/** The database kinds the suites run on: SQLite always, PostgreSQL whenever PG_TEST_URL answers. */
export const DATABASE_KINDS = await databaseKinds();

/** A built API in a child process, on a free loopback port, with a fresh database of its own. */
export interface SpawnedApi {
  url: string;
  database: TestDatabase;
  /** Everything the process wrote, for a failing test's message. */
  output: string[];
  stop(): Promise<void>;
}

/**
 * Starts `node apps/api/dist/main.js` as an integration would meet it: its own database, its own
 * Redis prefixes, generous rate limits unless `env` lowers them. Resolves once /v1/health answers.
 */
export async function spawnApi(kind: 'sqlite' | 'postgres', env: Record<string, string> = {}): Promise<SpawnedApi> {
  const database = await createTestDatabase(kind);
  const tag = randomBytes(4).toString('hex');
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [API_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      TT_KEY_PEPPER: 'client-test-pepper-that-is-at-least-32-characters',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PREFIX: `tt-client-test:${tag}:rl`,
      QUEUE_PREFIX: `tt-client-test-${tag}`,
      WEB_DIST: '/nonexistent-web-dist',
      RATE_LIMIT_REGISTER_PER_ADDRESS: '100000',
      RATE_LIMIT_LOGIN_PER_ADDRESS: '100000',
      RATE_LIMIT_LEAKS_PER_ADDRESS: '100000',
      RATE_LIMIT_KEY_FAILURES_PER_ADDRESS: '100000',
      LEAK_REPORT_FLOOR_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API did not start in 60 s:\n${output.join('')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output.push(text);
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1].replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the API exited with ${code} before listening:\n${output.join('')}`));
    });
  });
  const health = await fetch(`${url}/v1/health`);
  if (health.status !== 200) throw new Error(`/v1/health answered ${health.status}`);
  return {
    url,
    database,
    output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
      await database.drop();
    },
  };
}
