import { randomUUID } from 'node:crypto';
import { type TestDatabase, createTestDatabase, postgresForTests } from '@tradetally/database/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../../../../scripts/cluster.mjs';
import { Seeder } from '../testing/harness.js';
import { type Answer, apiEnv, call, freePortRange, spawnNode, userWithKey, waitFor } from './fleet-harness.js';

const CLUSTER_SCRIPT = new URL('../../../../scripts/cluster.mjs', import.meta.url).pathname;

describe.skipIf(!(await postgresForTests()) || !(await import('node:fs')).existsSync('/usr/sbin/nginx'))('npm run cluster: APIs behind nginx', () => {
  let database: TestDatabase | undefined;
  let cluster: Cluster | undefined;

  afterAll(async () => {
    await cluster?.stop();
    await database?.drop();
  });

  it('restarts every API one by one under load without failing a request or losing a write, and stops with every process exiting 0', async () => {
    database = await createTestDatabase('postgres');
    const env = apiEnv(database.url);
    cluster = await startCluster({
      apis: 2,
      workers: 1,
      ...(await freePortRange(3).then((base) => ({ port: base, basePort: base + 1 }))),
      databaseUrl: database.url,
      log: 'quiet',
      env: { ...env, NODE_ENV: 'test' },
    });
    const base = cluster.url;
    const { key } = await userWithKey(base);

    expect((await call(base, 'GET', '/v1/trades', { token: key })).status).toBe(200);

    const answers: Array<Answer & { externalId: string | null }> = [];
    let running = true;
    const client = async (n: number) => {
      for (let i = 0; running; i++) {
        const write = (i + n) % 4 === 0;
        const externalId = write ? randomUUID() : null;
        const answer = write
          ? await call(base, 'POST', '/v1/trades', {
              token: key,
              body: { symbol: 'NVDA', side: 'sell', quantity: 2, price: 120, executedAt: new Date().toISOString(), externalId },
            })
          : await call(base, 'GET', '/v1/trades?limit=5', { token: key });
        answers.push({ ...answer, externalId });
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, (_, n) => client(n)));
    await waitFor('traffic', () => answers.length >= 50);
    for (const index of cluster.apis.keys()) {
      const exit = await cluster.restartApi(index);
      expect(exit).toEqual({ code: 0, signal: null });
      const seen = answers.length;
      await waitFor('traffic after the restart', () => answers.length >= seen + 50);
    }
    running = false;
    await load;

    const failed = answers.filter((a) => a.status !== 200 && a.status !== 201);
    // On a failure, what nginx saw (refused connects are it moving on from a stopping API).
    if (failed.length) console.error(cluster.output.filter((l) => l.startsWith('nginx') && !l.includes('(111: Connection refused)')).join('\n'));
    expect(failed.map((a) => [a.status, a.body])).toEqual([]);
    const seed = await Seeder.open(database.url);
    const rows = await seed.db.query<{ external_id: string }>('SELECT external_id FROM trades');
    expect(rows.map((r) => r.external_id).sort()).toEqual(
      answers
        .filter((a) => a.externalId && a.status === 201)
        .map((a) => a.externalId)
        .sort(),
    );
    await seed.close();

    const exits = await cluster.stop();
    cluster = undefined;
    expect(exits?.every((e) => e.code === 0)).toBe(true);
  });
  it('npm run cluster prints its URLs, serves through nginx, and on Ctrl-C stops everything it started, each exiting 0', async () => {
    const own = await createTestDatabase('postgres');
    try {
      const base = await freePortRange(3);
      const script = spawnNode(CLUSTER_SCRIPT, {
        ...apiEnv(own.url),
        NODE_ENV: 'test',
        DATABASE_URL: own.url,
        CLUSTER_APIS: '2',
        CLUSTER_WORKERS: '1',
        CLUSTER_PORT: String(base),
        CLUSTER_BASE_PORT: String(base + 1),
        CLUSTER_BUILD: '0', // turbo built everything before this test
      });
      await script.waitForOutput('Press Ctrl-C to stop.', 120_000);
      expect(script.output.join('')).toContain(`Through nginx   http://127.0.0.1:${base}/`);
      expect((await call(`http://127.0.0.1:${base}`, 'GET', '/v1/health/ready')).status).toBe(200);
      expect(await script.stop('SIGINT'), script.output.join('')).toEqual({ code: 0, signal: null });
      expect(script.output.join('')).toContain('stopped: every process exited 0');
      for (const port of [base, base + 1, base + 2])
        expect((await call(`http://127.0.0.1:${port}`, 'GET', '/v1/health/live', { timeoutMs: 2000 })).status).toBe(0);
    } finally {
      await own.drop();
    }
  });
});
