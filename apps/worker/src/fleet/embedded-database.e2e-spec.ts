// The default set-up (`npm start`: one API and a worker on the embedded SQLite database) under the
// load of a trader's integrations. Usage is flushed every second here (60 s by default) so that the
// writer transactions that used to deadlock with the journal's writes come often enough to be seen
// in 20 seconds: before the fix each run had several 5-second client timeouts and SQLITE_BUSY lines.
import sqlite3 from 'sqlite3';
import { Db, openDb } from '@tradetally/database';
import { type TestDatabase, createTestDatabase } from '@tradetally/database/testing';
import { mixedLoad } from '@tradetally/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Proc, WORKER_MAIN, apiEnv, call, spawnNode, startApiProcess, userWithKey, waitFor, whenReady } from './fleet-harness.js';

const LOAD_SECONDS = 20;

describe('the embedded database under a mixed load', () => {
  const procs: Proc[] = [];
  let database: TestDatabase | undefined;

  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop('SIGKILL')));
    await database?.drop();
  });

  /** An API (and `workers` workers sweeping every 2 s) on a fresh SQLite file, with a user and a key. */
  async function start(workers: number) {
    database = await createTestDatabase('sqlite');
    const env = { ...apiEnv(database.url), USAGE_FLUSH_SECONDS: '1' };
    const api = await startApiProcess(env);
    procs.push(api);
    await whenReady(api);
    for (let i = 0; i < workers; i++) {
      const worker = spawnNode(WORKER_MAIN, { ...env, SWEEP_CRON: '*/2 * * * * *', LOG_LEVEL: 'info' });
      procs.push(worker);
      await waitFor('the worker', () => worker.output.join('').includes('worker ready'));
    }
    return { api, ...(await userWithKey(api.url)) };
  }

  /** Counts, per marker, the trades the load stored. */
  async function storedMarkers(url: string): Promise<Map<string, number>> {
    const db = await openDb(url, { migrate: false });
    try {
      const rows = await db.query<{ notes: string }>("SELECT notes FROM trades WHERE symbol = 'LOAD'");
      const stored = new Map<string, number>();
      for (const { notes } of rows) stored.set(notes, (stored.get(notes) ?? 0) + 1);
      return stored;
    } finally {
      await db.close();
    }
  }

  for (const workers of [0, 1]) {
    it(`answers every request within 1 s, logs no SQLITE_BUSY and stores every 201 exactly once (${workers} worker(s))`, async () => {
      const { api, key } = await start(workers);
      const result = await mixedLoad({ url: api.url, key, seconds: LOAD_SECONDS });

      expect(result.timeouts).toBe(0);
      expect(result.over1s).toBe(0);
      expect(result.probeStalls).toEqual([]);
      expect(Object.keys(result.byStatus).sort()).toEqual(['200', '201']);
      const logs = procs.map((p) => p.output.join('')).join('');
      expect(logs).not.toContain('SQLITE_BUSY');
      const stored = await storedMarkers(database!.url);
      expect(result.acknowledged.length).toBeGreaterThan(100);
      expect(result.acknowledged.filter((notes) => stored.get(notes) !== 1)).toEqual([]);
      expect([...stored.values()].reduce((a, b) => a + b, 0)).toBe(result.acknowledged.length);
    });
  }

  it('answers a write 503 service_unavailable within the bound while another process holds the lock, writes nothing, and goes on reading', async () => {
    const { api, key } = await start(0);
    // The key's first use writes its last-used time (awaited): done before the lock is taken.
    expect((await call(api.url, 'GET', '/v1/trades?limit=1', { token: key })).status).toBe(200);

    const holder = new sqlite3.Database(database!.file!);
    const exec = (sql: string) => new Promise<void>((resolve, reject) => holder.exec(sql, (error) => (error ? reject(error) : resolve())));
    await exec('PRAGMA busy_timeout = 5000; BEGIN IMMEDIATE');
    const held = Date.now();
    try {
      const write = call(api.url, 'POST', '/v1/trades', {
        token: key,
        body: { symbol: 'LOCKED', side: 'buy', quantity: 1, price: 1, executedAt: new Date().toISOString() },
      });
      const read = await call(api.url, 'GET', '/v1/trades?limit=5', { token: key });
      expect(read.status).toBe(200);
      expect(read.ms).toBeLessThan(1000);

      const refused = await write;
      expect(refused.status).toBe(503);
      expect(refused.body?.code).toBe('service_unavailable');
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.ms).toBeGreaterThanOrEqual(1500);
      expect(refused.ms).toBeLessThan(3000);
      expect(Date.now() - held).toBeLessThan(5000);
    } finally {
      await exec('ROLLBACK');
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }

    const db: Db = await openDb(database!.url, { migrate: false });
    expect(await db.query("SELECT id FROM trades WHERE symbol = 'LOCKED'")).toEqual([]);
    await db.close();
    const after = await call(api.url, 'POST', '/v1/trades', {
      token: key,
      body: { symbol: 'AFTER', side: 'buy', quantity: 1, price: 1, executedAt: new Date().toISOString() },
    });
    expect(after.status).toBe(201);
  });
});
