import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { type TestDatabase, createTestDatabase, databaseKinds } from '@tradetally/database/testing';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Seeder } from '../testing/harness.js';
import { type Proc, WORKER_MAIN, apiEnv, call, spawnNode, startApiProcess, userWithKey, waitFor, whenReady } from './fleet-harness.js';

const kind = (await databaseKinds()).includes('postgres') ? 'postgres' : 'sqlite';

/** A CSV import of `rows` trades, big enough to keep a request busy for a while. */
function csv(rows: number): string {
  const lines = ['symbol,side,quantity,price,executedAt,fees,notes,externalId'];
  for (let i = 0; i < rows; i++)
    lines.push(`AAPL,buy,${1 + (i % 9)},${100 + (i % 50)},2026-11-02T14:${String(i % 60).padStart(2, '0')}:00Z,1,row ${i},${randomUUID()}`);
  return `${lines.join('\n')}\n`;
}

/** A fresh database for the suite and the processes its tests start: each killed, and the database dropped, after the suite. */
function useDatabaseAndProcs(): { readonly database: TestDatabase; readonly procs: Proc[] } {
  let database: TestDatabase | undefined;
  const procs: Proc[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await database?.drop();
  });
  return {
    get database() {
      if (!database) throw new Error('the database is made in beforeAll');
      return database;
    },
    procs,
  };
}

describe(`an API process stopped with SIGTERM (${kind})`, () => {
  const suite = useDatabaseAndProcs();

  it('finishes all 50 requests in flight, refuses new connections, and exits 0 within SHUTDOWN_TIMEOUT_MS', async () => {
    const api = await startApiProcess({ ...apiEnv(suite.database.url), SHUTDOWN_TIMEOUT_MS: '20000' });
    suite.procs.push(api);
    await whenReady(api);
    const { key } = await userWithKey(api.url);

    // Each import sends its headers with Expect: 100-continue. The server's 100 Continue proves it
    // has taken the request in; only then does SIGTERM go out, and only then do the bodies follow.
    const answers: Array<Promise<{ status: number; body: string }>> = [];
    const accepted: Array<Promise<void>> = [];
    const uploads: Array<() => void> = [];
    for (let i = 0; i < 50; i++) {
      const body = csv(400);
      let continued!: () => void;
      accepted.push(new Promise((resolve) => (continued = resolve)));
      answers.push(
        new Promise((resolve, reject) => {
          const req = request(`${api.url}/v1/trades/import`, {
            method: 'POST',
            agent: false,
            headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
          });
          req.on('continue', () => continued());
          req.on('response', (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          });
          req.on('error', reject);
          uploads.push(() => req.end(body));
        }),
      );
    }
    await Promise.all(accepted);

    const stoppedAt = Date.now();
    api.child.kill('SIGTERM');
    await waitFor('the listener to close', async () => (await call(api.url, 'GET', '/v1/health/live', { timeoutMs: 1000 })).status === 0, 10_000);
    for (const upload of uploads) upload();

    const results = await Promise.all(answers);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(results.map((r) => JSON.parse(r.body) as unknown)).toEqual(Array(50).fill({ imported: 400, duplicates: 0, errors: [] }));
    const exit = await api.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(20_000);

    const seed = await Seeder.open(suite.database.url);
    expect(await seed.count('SELECT COUNT(*) AS n FROM trades')).toBe(50 * 400);
    await seed.close();
  });

  it('answers a request still unfinished when SHUTDOWN_TIMEOUT_MS passes with 503 service_unavailable (not a reset a proxy could replay), then exits 0', async () => {
    const api = await startApiProcess({ ...apiEnv(suite.database.url), SHUTDOWN_TIMEOUT_MS: '1000' });
    suite.procs.push(api);
    await whenReady(api);
    const { key } = await userWithKey(api.url);
    // Headers with Expect: 100-continue, and a body that never comes: a request that cannot finish.
    const answer = new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const req = request(`${api.url}/v1/trades/import`, {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv', 'content-length': 1000, expect: '100-continue' },
      });
      req.on('continue', () => api.child.kill('SIGTERM'));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    const result = await answer;
    expect(result.status).toBe(503);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(result.connection).toBe('close');
    expect(await api.exited).toEqual({ code: 0, signal: null });
  });

  it('exits 0 on a SIGTERM that arrives while it is still starting, and on a second signal during the stop', async () => {
    const api = await startApiProcess({ ...apiEnv(suite.database.url), LOG_LEVEL: 'info' });
    suite.procs.push(api);
    // Nest logs this once main() runs (signals are handled from then on), before the API listens.
    await waitFor('the start', () => api.output.join('').includes('Starting Nest application'));
    api.child.kill('SIGTERM');
    api.child.kill('SIGINT');
    expect(await api.exited).toEqual({ code: 0, signal: null });
  });

  it('answers /v1/health/live and /v1/health/ready while it runs, and exits 0 on SIGTERM when idle', async () => {
    const api = await startApiProcess(apiEnv(suite.database.url));
    suite.procs.push(api);
    await whenReady(api);
    const live = await call(api.url, 'GET', '/v1/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await call(api.url, 'GET', '/v1/health/ready');
    expect(ready.body).toEqual({ status: 'ok', database: 'ok', schema: 'current' });
    expect((await api.stop()).code).toBe(0);
  });
});

/**
 * An SMTP server whose first message is held (never accepted) for as long as its sender stays
 * connected; later messages are accepted at once. `held` resolves when the first one arrives.
 */
async function holdingSmtp(holdFirst: boolean) {
  const accepted: string[] = [];
  let firstArrived!: () => void;
  const held = new Promise<void>((resolve) => (firstArrived = resolve));
  let first = true;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        if (first) {
          first = false;
          firstArrived();
          if (holdFirst) return; // no answer: the sender waits until it gives up or goes away
          setTimeout(() => {
            accepted.push(raw);
            done();
          }, 1500);
          return;
        }
        accepted.push(raw);
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return { url: `smtp://127.0.0.1:${port}`, accepted, held, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe(`a worker process stopped with SIGTERM in the middle of a job (${kind})`, () => {
  const suite = useDatabaseAndProcs();

  const seedEmail = async (seed: Seeder) => seed.dueEmail((await seed.user()).id);

  const workerEnv = (smtpUrl: string, prefix: string, timeout: string) => ({
    DATABASE_URL: suite.database.url,
    SMTP_URL: smtpUrl,
    QUEUE_PREFIX: prefix,
    SWEEP_CRON: '* * * * * *',
    ROTATION_AGE_DAYS: '0',
    JOB_LOCK_MS: '30000',
    SHUTDOWN_TIMEOUT_MS: timeout,
    LOG_LEVEL: 'info',
  });

  it('hands a job it cannot finish in time back to the queue: another worker does it, once, and the first exits 0', async () => {
    const seed = await Seeder.open(suite.database.url);
    const notificationId = await seedEmail(seed);
    const smtp = await holdingSmtp(true);
    const prefix = `tt-stop-${randomBytes(3).toString('hex')}`;
    const first = spawnNode(WORKER_MAIN, workerEnv(smtp.url, prefix, '1500'));
    suite.procs.push(first);
    await smtp.held; // the first worker is in the middle of sending

    // The lock lasts 30 s: a second worker only gets the job this soon if it is handed back.
    const second = spawnNode(WORKER_MAIN, workerEnv(smtp.url, prefix, '10000'));
    suite.procs.push(second);
    await waitFor('the second worker', () => second.output.join('').includes('worker ready'));
    const stoppedAt = Date.now();
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(first.output.join('')).toContain('handed back to the queue');

    await waitFor(
      'the e-mail to be marked sent',
      async () => (await seed.count('SELECT COUNT(*) AS n FROM notifications WHERE id = $1 AND emailed_at IS NOT NULL', [notificationId])) === 1,
      15_000,
    );
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    expect(smtp.accepted).toHaveLength(1);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
    await smtp.close();
    await seed.close();
  });

  it('exits 0 on a SIGTERM that arrives while it is still starting, and on a second signal during the stop', async () => {
    const worker = spawnNode(WORKER_MAIN, workerEnv('smtp://127.0.0.1:9', `tt-stop-${randomBytes(3).toString('hex')}`, '10000'));
    suite.procs.push(worker);
    // Nest logs this once main() runs (signals are handled from then on), well before the worker is ready.
    await waitFor('the start', () => worker.output.join('').includes('Starting Nest application'));
    worker.child.kill('SIGTERM');
    worker.child.kill('SIGINT');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  });

  it('lets a job that finishes within SHUTDOWN_TIMEOUT_MS finish, then exits 0', async () => {
    const seed = await Seeder.open(suite.database.url);
    const notificationId = await seedEmail(seed);
    const smtp = await holdingSmtp(false);
    const worker = spawnNode(WORKER_MAIN, workerEnv(smtp.url, `tt-stop-${randomBytes(3).toString('hex')}`, '10000'));
    suite.procs.push(worker);
    await smtp.held;
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
    expect(smtp.accepted).toHaveLength(1);
    expect(await seed.count('SELECT COUNT(*) AS n FROM notifications WHERE id = $1 AND emailed_at IS NOT NULL', [notificationId])).toBe(1);
    await smtp.close();
    await seed.close();
  });
});
