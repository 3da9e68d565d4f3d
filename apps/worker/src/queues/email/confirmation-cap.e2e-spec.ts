import { randomBytes } from 'node:crypto';
import { CONFIRMATION_EMAILS_PER_DAY, QueueName } from '@tradetally/contracts';
import { type TestDatabase, createTestDatabase } from '@tradetally/database/testing';
import { type BuiltApi, startBuiltApi } from '@tradetally/testing';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WorkerProcess, startSmtp, startWorker, waitFor } from '../../testing/harness.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('confirmation e-mails cannot be used to harass (security.md "The API, round two")', () => {
  let database: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let api: BuiltApi;
  let worker: WorkerProcess;
  let events: QueueEvents;
  let connection: Redis;
  const prefix = `tt-cap-${randomBytes(4).toString('hex')}`;
  /** The e-mail jobs the worker finished, with what each one answered. */
  const finished: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    smtp = await startSmtp();
    connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    events = new QueueEvents(QueueName.Email, { connection, prefix });
    events.on('completed', ({ returnvalue }) => finished.push(String(returnvalue)));
    await events.waitUntilReady();
    // "Send again" is limited per account per hour too; here only the per-address cap may stop it.
    api = await startBuiltApi({ databaseUrl: database.url, env: { REDIS_URL, QUEUE_PREFIX: prefix, RATE_LIMIT_EMAIL_RESEND_PER_ACCOUNT: '100' } });
    worker = startWorker({ DATABASE_URL: database.url, REDIS_URL, SMTP_URL: smtp.url, QUEUE_PREFIX: prefix, SWEEP_CRON: '0 0 0 1 1 *' });
    await worker.ready();
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await api?.stop('SIGKILL');
    await events?.close();
    connection?.disconnect();
    await smtp?.close();
    await database?.drop();
  });

  it(`sends one address at most ${CONFIRMATION_EMAILS_PER_DAY} confirmations a day; beyond, "send again" still answers 202 and nothing goes out`, async () => {
    const email = `victim-${randomBytes(4).toString('hex')}@example.com`;
    const password = 'a long enough password';
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await post('/v1/auth/register', { email, password })).status).toBe(201);
    const { token } = (await (await post('/v1/auth/login', { email, password })).json()) as { token: string };
    // The registration's e-mail and 7 more requests: 8 confirmation jobs, one after the other.
    for (let i = 0; i < 7; i++) {
      const before = finished.length;
      expect((await post('/v1/auth/verify-email/resend', undefined, token)).status).toBe(202);
      await waitFor('the job of that request', () => finished.length > before);
    }
    await waitFor('every confirmation job', () => finished.length >= 8);
    expect(finished.filter((answer) => answer === 'sent')).toHaveLength(CONFIRMATION_EMAILS_PER_DAY);
    expect(smtp.mails.filter((mail) => mail.to === email)).toHaveLength(CONFIRMATION_EMAILS_PER_DAY);
  });
});
