import { type ChildProcess, spawn } from 'node:child_process';
import { type TestDatabase, createTestDatabase } from '@tradetally/database/testing';
import { type BuiltApi, freePort, startBuiltApi } from '@tradetally/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { Seeder, hoursFromNow, settled, startSmtp, startWorker, waitFor } from '../../testing/harness.js';

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
    stdio: 'ignore',
  });
}

const stop = (child: ChildProcess | undefined) =>
  new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('with Redis stopped and started again', () => {
  const children: ChildProcess[] = [];
  let api: BuiltApi | undefined;
  let database: TestDatabase | undefined;

  afterAll(async () => {
    await api?.stop('SIGKILL');
    await Promise.all(children.map(stop));
    await database?.drop();
  });

  it('the API keeps serving, and the worker catches up from the database without losing or doubling anything', async () => {
    database = await createTestDatabase('sqlite');
    const seed = await Seeder.open(database.url);
    const smtp = await startSmtp();
    const redisPort = await freePort();
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    let redis = startRedis(redisPort);
    children.push(redis);
    // One deployment: the API queues on the worker's prefix, so the confirmation e-mail of the
    // registration below goes through the queue as in production.
    api = await startBuiltApi({
      databaseUrl: database.url,
      env: { REDIS_URL: redisUrl, QUEUE_PREFIX: 'outage', TT_KEY_PEPPER: 'outage-test-pepper-outage-test-pepper' },
    });
    const worker = startWorker({ DATABASE_URL: database.url, REDIS_URL: redisUrl, SMTP_URL: smtp.url, QUEUE_PREFIX: 'outage', REMINDER_DAYS: '7' });
    children.push(worker.child);
    const base = api.url;
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> };
    };
    await worker.ready();
    await call('POST', '/v1/auth/register', { email: 'outage@example.com', password: 'a long enough password' });
    const { token } = (await call('POST', '/v1/auth/login', { email: 'outage@example.com', password: 'a long enough password' })).body as { token: string };
    const { secret } = (await call('POST', '/v1/api-keys', { name: 'during outage', scope: 'read' }, token)).body as { secret: string };
    await waitFor('the confirmation e-mail', () => smtp.mails.length === 1);
    await settled([worker], 'outage', redisUrl);
    expect(smtp.mails.map((m) => m.subject)).toEqual(['Confirm your e-mail address for TradeTally Keys']);

    await stop(redis);
    await waitFor('degraded health', async () => (await call('GET', '/v1/health')).body.status === 'degraded');
    expect((await call('GET', '/v1/health')).body).toEqual({ status: 'degraded', database: 'ok', queue: 'down' });
    expect((await call('GET', '/v1/trades', undefined, secret)).status).toBe(200);
    // A key comes due while Redis is away.
    const owner = await seed.user();
    const due = await seed.key(owner.id, { name: 'due-during-outage', createdAt: hoursFromNow(-240), expiresAt: hoursFromNow(48) });
    // The worker cannot sweep to the end without Redis (its queue adds wait for the connection), so
    // the signal that it is alive and still trying is its connection attempts: two more after the
    // key came due, and still nothing sent.
    const attempts = () => worker.output.join('').split('ECONNREFUSED').length;
    const before = attempts();
    await waitFor('two more Redis connection attempts by the worker', () => attempts() >= before + 2);
    expect(smtp.mails).toHaveLength(1);

    redis = startRedis(redisPort);
    children.push(redis);
    await waitFor('the reminder after Redis returns', () => smtp.mails.length >= 2, 30_000);
    await settled([worker], 'outage', redisUrl);
    expect(smtp.mails.map((m) => m.subject)).toEqual(['Confirm your e-mail address for TradeTally Keys', 'A TradeTally API key expires soon']);
    expect(smtp.mails[1]?.raw).toContain('"due-during-outage"');
    expect(await seed.count("SELECT COUNT(*) AS n FROM notifications WHERE type = 'key_expiring' AND api_key_id = $1", [due.id])).toBe(1);
    expect((await call('GET', '/v1/health')).body.status).toBe('ok');
    await seed.close();
    await smtp.close();
  });
});
