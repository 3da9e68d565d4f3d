import { randomUUID } from 'node:crypto';
import { type TestDatabase, createTestDatabase, postgresForTests } from '@tradetally/database/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { Seeder, startSmtp } from '../testing/harness.js';
import {
  type Answer,
  CuttableProxy,
  type Proc,
  WORKER_MAIN,
  apiEnv,
  call,
  spawnNode,
  startApiProcess,
  userWithKey,
  viaPort,
  waitFor,
  whenReady,
} from './fleet-harness.js';

const CUT_MS = 10_000;
const LIMIT_MS = 5_000;

interface Sample extends Answer {
  startedAt: number;
  write: boolean;
  externalId: string | null;
  sent: Record<string, unknown> | null;
}

describe.skipIf(!(await postgresForTests()))('PostgreSQL cut for 10 s under load, through a TCP proxy', () => {
  let database: TestDatabase | undefined;
  let proxy: CuttableProxy | undefined;
  const procs: Proc[] = [];

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await proxy?.close();
    await database?.drop();
  });

  it('answers 503 service_unavailable within 5 s (never 500, never a hang), recovers within 5 s of the restore, loses and doubles no write; the worker catches up', async () => {
    database = await createTestDatabase('postgres');
    const direct = new URL(database.url);
    proxy = await CuttableProxy.start(direct.hostname, Number(direct.port || 5432));
    const proxied = viaPort(database.url, proxy.port);
    const seed = await Seeder.open(database.url); // the test's own connection goes around the proxy
    const smtp = await startSmtp();

    const api = await startApiProcess(apiEnv(proxied));
    procs.push(api);
    await whenReady(api);
    const worker = spawnNode(WORKER_MAIN, {
      DATABASE_URL: proxied,
      SMTP_URL: smtp.url,
      QUEUE_PREFIX: `tt-outage-${randomUUID().slice(0, 6)}`,
      SWEEP_CRON: '* * * * * *',
      ROTATION_AGE_DAYS: '0',
      LOG_LEVEL: 'info',
    });
    procs.push(worker);
    await waitFor('the worker', () => worker.output.join('').includes('worker ready'));
    const { key } = await userWithKey(api.url);

    // Eight clients, each alternating a key-checked read and a journal write, until told to stop.
    const samples: Sample[] = [];
    let running = true;
    const client = async (n: number) => {
      for (let i = 0; running; i++) {
        const write = (i + n) % 2 === 0;
        const externalId = write ? randomUUID() : null;
        const sent = write ? { symbol: 'MSFT', side: 'buy', quantity: 1, price: 400, executedAt: new Date().toISOString(), externalId } : null;
        const startedAt = Date.now();
        const answer = sent
          ? await call(api.url, 'POST', '/v1/trades', { token: key, body: sent, timeoutMs: 15_000 })
          : await call(api.url, 'GET', '/v1/trades?limit=5', { token: key, timeoutMs: 15_000 });
        samples.push({ ...answer, startedAt, write, externalId, sent });
        if (answer.status !== 200 && answer.status !== 201) await new Promise((r) => setTimeout(r, 50));
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, n) => client(n)));

    await waitFor('traffic before the cut', () => samples.filter((s) => s.status === 201).length >= 20);
    const cutAt = Date.now();
    proxy.cut();
    // Meanwhile an e-mail becomes due, written around the proxy: the worker must catch up on it.
    const user = await seed.user();
    const notificationId = await seed.dueEmail(user.id);
    await waitFor('503s during the cut', () => samples.some((s) => s.startedAt > cutAt && s.status === 503));
    // Readiness says so too (fast), while liveness stays 200: a supervisor must not restart the API.
    const ready = await call(api.url, 'GET', '/v1/health/ready', { timeoutMs: 10_000 });
    expect([ready.status, ready.body?.code, ready.headers.get('retry-after')]).toEqual([503, 'service_unavailable', '5']);
    expect(ready.ms).toBeLessThan(LIMIT_MS);
    expect((await call(api.url, 'GET', '/v1/health/live')).status).toBe(200);
    await new Promise((r) => setTimeout(r, CUT_MS - (Date.now() - cutAt)));
    const restoredAt = Date.now();
    proxy.restore();
    await waitFor('answers after the restore', () => samples.some((s) => s.startedAt > restoredAt + LIMIT_MS && s.status === 200));
    expect((await call(api.url, 'GET', '/v1/health/ready')).status).toBe(200);
    await waitFor('more answers after the restore', () => samples.filter((s) => s.startedAt > restoredAt + LIMIT_MS).length >= 40);
    running = false;
    await load;

    // Every answer came within 5 s, and was a success or a 503 problem with Retry-After.
    const statuses = new Set(samples.map((s) => s.status));
    expect([...statuses].filter((s) => ![200, 201, 503].includes(s))).toEqual([]);
    expect(Math.max(...samples.map((s) => s.ms))).toBeLessThan(LIMIT_MS);
    const failures = samples.filter((s) => s.status === 503);
    expect(failures.length).toBeGreaterThan(10);
    for (const failure of failures) {
      expect(failure.headers.get('content-type')).toContain('application/problem+json');
      expect(failure.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(failure.body?.code).toBe('service_unavailable');
    }
    // Nothing answered 503 before the cut (a request still running at the cut may); everything works
    // again within 5 s of the restore.
    expect(samples.filter((s) => s.startedAt + s.ms < cutAt && s.status === 503)).toEqual([]);
    const lastFailure = Math.max(...failures.map((s) => s.startedAt));
    expect(lastFailure - restoredAt).toBeLessThan(LIMIT_MS);
    expect(samples.filter((s) => s.startedAt > restoredAt + LIMIT_MS && s.status === 503)).toEqual([]);

    // No write lost or doubled. A 503 on a write means "outcome unknown": the commit may have
    // reached the database just before the connection was cut. A client retries with the same
    // externalId and gets 201 (it had not landed) or 409 external_id_taken (it had), never a second row.
    const retried: string[] = [];
    for (const failed of samples.filter((s) => s.write && s.status === 503)) {
      const again = await call(api.url, 'POST', '/v1/trades', { token: key, body: failed.sent });
      expect([201, 409]).toContain(again.status);
      if (again.status === 409) expect(again.body?.code).toBe('external_id_taken');
      retried.push(String(failed.externalId));
    }
    const written = samples.filter((s) => s.write && s.status === 201).map((s) => String(s.externalId));
    const rows = await seed.db.query<{ external_id: string }>('SELECT external_id FROM trades');
    expect(rows.map((r) => r.external_id).sort()).toEqual([...written, ...retried].sort());

    // The worker waited out the cut and sent the e-mail that became due during it, once.
    await waitFor(
      'the worker to catch up',
      async () => (await seed.count('SELECT COUNT(*) AS n FROM notifications WHERE id = $1 AND emailed_at IS NOT NULL', [notificationId])) === 1,
      30_000,
    );
    expect(smtp.mails.filter((m) => m.to === user.email)).toHaveLength(1);
    expect(worker.child.exitCode).toBeNull();
    expect(api.child.exitCode).toBeNull();
    expect(api.output.join('')).not.toMatch(/"code":"internal_error"|internal_error/);

    await seed.close();
    await smtp.close();
  });
  it('an API and a worker started while PostgreSQL is cut wait for it, and come up by themselves once it is back', async () => {
    const fresh = await createTestDatabase('postgres');
    const direct = new URL(fresh.url);
    const cutProxy = await CuttableProxy.start(direct.hostname, Number(direct.port || 5432));
    try {
      cutProxy.cut();
      const proxied = viaPort(fresh.url, cutProxy.port);
      const api = await startApiProcess(apiEnv(proxied));
      const worker = spawnNode(WORKER_MAIN, {
        DATABASE_URL: proxied,
        QUEUE_PREFIX: `tt-wait-${randomUUID().slice(0, 6)}`,
        ROTATION_AGE_DAYS: '0',
        LOG_LEVEL: 'info',
      });
      procs.push(api, worker);
      await waitFor('the API to wait for the database', () => api.output.join('').includes('waiting for it'));
      await waitFor('the worker to wait for the database', () => worker.output.join('').includes('waiting for it'));
      expect((await call(api.url, 'GET', '/v1/health/live', { timeoutMs: 2000 })).status).toBe(0); // not listening yet

      cutProxy.restore();
      await whenReady(api);
      await waitFor('the worker', () => worker.output.join('').includes('worker ready'));
      expect(api.output.join('')).toContain('the database answers again');
      expect(await api.stop()).toEqual({ code: 0, signal: null });
      expect(await worker.stop()).toEqual({ code: 0, signal: null });
    } finally {
      await cutProxy.close();
      await fresh.drop();
    }
  });
});
