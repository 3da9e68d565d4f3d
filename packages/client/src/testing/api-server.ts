import { randomBytes } from 'node:crypto';
import { type TestDatabase, createTestDatabase, databaseKinds } from '@tradetally/database/testing';
import { startBuiltApi } from '@tradetally/testing';

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
  try {
    const api = await startBuiltApi({
      databaseUrl: database.url,
      env: {
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        TT_KEY_PEPPER: 'client-test-pepper-that-is-at-least-32-characters',
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
    });
    return {
      url: api.url,
      database,
      output: api.output,
      async stop() {
        const killer = setTimeout(() => void api.stop('SIGKILL'), 10_000);
        await api.stop();
        clearTimeout(killer);
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
