import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MIGRATIONS } from '@tradetally/database';
import { type TestDatabase, createTestDatabase, postgresForTests } from '@tradetally/database/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { Seeder } from '../testing/harness.js';
import { type Proc, WORKER_MAIN, apiEnv, call, spawnNode, startApiProcess, waitFor, whenReady } from './fleet-harness.js';

const MIGRATE_MAIN = join(new URL('../../../..', import.meta.url).pathname, 'packages/database/dist/migrate.js');
const run = promisify(execFile);

describe.skipIf(!(await postgresForTests()))('instances started together on an empty PostgreSQL database', () => {
  const databases: TestDatabase[] = [];
  const procs: Proc[] = [];

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('three APIs and two workers all come up, and the schema is made once', async () => {
    const database = await createTestDatabase('postgres');
    databases.push(database);
    const env = apiEnv(database.url);
    const apis = await Promise.all([1, 2, 3].map(() => startApiProcess(env)));
    const workers = [1, 2].map(() =>
      spawnNode(WORKER_MAIN, { DATABASE_URL: database.url, QUEUE_PREFIX: env.QUEUE_PREFIX ?? 'x', ROTATION_AGE_DAYS: '0', LOG_LEVEL: 'info' }),
    );
    procs.push(...apis, ...workers);

    await Promise.all(apis.map((api) => whenReady(api)));
    await Promise.all(workers.map((worker, i) => waitFor(`worker ${i + 1}`, () => worker.output.join('').includes('worker ready'))));
    for (const api of apis) expect((await call(api.url, 'GET', '/v1/health/ready')).body).toEqual({ status: 'ok', database: 'ok', schema: 'current' });

    const seed = await Seeder.open(database.url);
    const rows = await seed.db.query<{ name: string; n: number | string }>('SELECT name, COUNT(*) AS n FROM migrations GROUP BY name');
    expect(rows.map((r) => [r.name, Number(r.n)]).sort()).toEqual(MIGRATIONS.map((M) => [new M().name, 1]).sort());
    await seed.close();
    for (const proc of procs) expect((await proc.stop()).code).toBe(0);
  });

  it('the migrate command makes the schema once, then finds nothing to do', async () => {
    const database = await createTestDatabase('postgres');
    databases.push(database);
    const env = { ...process.env, DATABASE_URL: database.url };
    const [first, second] = await Promise.all([run(process.execPath, [MIGRATE_MAIN], { env }), run(process.execPath, [MIGRATE_MAIN], { env })]);
    const outputs = [first.stdout, second.stdout].sort();
    expect(outputs[0]).toMatch(/^migrations applied: /);
    expect(outputs[1]).toMatch(/^schema is current/);
    const again = await run(process.execPath, [MIGRATE_MAIN], { env });
    expect(again.stdout).toMatch(/^schema is current/);
    const seed = await Seeder.open(database.url);
    expect(await seed.count('SELECT COUNT(*) AS n FROM migrations')).toBe(MIGRATIONS.length);
    await seed.close();
  });
});
