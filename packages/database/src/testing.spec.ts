import { afterEach, describe, expect, it, vi } from 'vitest';

// PG_TEST_URL is read when the module loads: each case stubs the environment, then imports afresh.
// Port 1 on loopback refuses at once, so no PostgreSQL is needed to see it "not answer".
const load = async (env: Record<string, string>) => {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return import('./testing.js');
};

describe('databaseKinds', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('runs on SQLite only when PostgreSQL does not answer outside CI', async () => {
    const { databaseKinds } = await load({ CI: '', PG_TEST_URL: 'postgres://postgres:secret@127.0.0.1:1/postgres' });
    expect(await databaseKinds()).toEqual(['sqlite']);
  });

  it('fails in CI when PostgreSQL does not answer, naming where it looked without the password', async () => {
    const { databaseKinds } = await load({ CI: 'true', PG_TEST_URL: 'postgres://postgres:secret@127.0.0.1:1/postgres' });
    const error = await databaseKinds().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('CI=true and PostgreSQL does not answer at postgres://postgres:***@127.0.0.1:1/postgres');
    expect((error as Error).message).not.toContain('secret');
  });
});
