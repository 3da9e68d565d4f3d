import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type TestDatabase, createTestDatabase } from '@tradetally/database/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { Seeder, hoursFromNow, startSmtp, startWorker, waitFor } from '../../testing/harness.js';

const API_MAIN = join(new URL('../../../..', import.meta.url).pathname, 'api/dist/main.js');

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
}

const stop = (child: ChildProcess | undefined) =>
  new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('with Redis stopped and started again', () => {
  const children: ChildProcess[] = [];
  let database: TestDatabase | undefined;

  afterAll(async () => {
    await Promise.all(children.map(stop));
    await database?.drop();
  });

  it('the API keeps serving, and the worker catches up from the database without losing or doubling anything', async () => {
    database = await createTestDatabase('sqlite');
    const seed = await Seeder.open(database.url);
    const smtp = await startSmtp();
    const redisPort = await freePort();
    const apiPort = await freePort();
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    let redis = startRedis(redisPort);
    children.push(redis);
    const api = spawn(process.execPath, [API_MAIN], {
      env: { ...process.env, PORT: String(apiPort), HOST: '127.0.0.1', DATABASE_URL: database.url, REDIS_URL: redisUrl, LOG_LEVEL: 'warn', TT_KEY_PEPPER: 'outage-test-pepper-outage-test-pepper' },
      stdio: 'ignore',
    });
    children.push(api);
    const worker = startWorker({ DATABASE_URL: database.url, REDIS_URL: redisUrl, SMTP_URL: smtp.url, QUEUE_PREFIX: 'outage', REMINDER_DAYS: '7' });
    children.push(worker.child);
    const base = `http://127.0.0.1:${apiPort}`;
    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> };
    };
    await waitFor('the API', async () => (await call('GET', '/v1/health').catch(() => ({ status: 0 }))).status === 200);
    await waitFor('the worker', () => worker.output.join('').includes('worker ready'));
    await call('POST', '/v1/auth/register', { email: 'outage@example.com', password: 'a long enough password' });
    const { token } = (await call('POST', '/v1/auth/login', { email: 'outage@example.com', password: 'a long enough password' })).body as { token: string };
    const { secret } = (await call('POST', '/v1/api-keys', { name: 'during outage', scope: 'read' }, token)).body as { secret: string };

    await stop(redis);
    await waitFor('degraded health', async () => (await call('GET', '/v1/health')).body.status === 'degraded');
    expect((await call('GET', '/v1/health')).body).toEqual({ status: 'degraded', database: 'ok', queue: 'down' });
    expect((await call('GET', '/v1/trades', undefined, secret)).status).toBe(200);
    // A key comes due while Redis is away.
    const owner = await seed.user();
    const due = await seed.key(owner.id, { name: 'due-during-outage', createdAt: hoursFromNow(-240), expiresAt: hoursFromNow(48) });
    await new Promise((r) => setTimeout(r, 2500));
    expect(smtp.mails).toHaveLength(0);

    redis = startRedis(redisPort);
    children.push(redis);
    await waitFor('the reminder after Redis returns', () => smtp.mails.length >= 1, 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(smtp.mails.map((m) => m.subject)).toEqual(['A TradeTally API key expires soon']);
    expect(smtp.mails[0]?.raw).toContain('"due-during-outage"');
    expect(await seed.count("SELECT COUNT(*) AS n FROM notifications WHERE type = 'key_expiring' AND api_key_id = $1", [due.id])).toBe(1);
    expect((await call('GET', '/v1/health')).body.status).toBe('ok');
    await seed.close();
    await smtp.close();
  });
});
