import { randomBytes, randomUUID } from 'node:crypto';
import { JobName, QueueName, jobId } from '@tradetally/contracts';
import { hashOpaqueToken } from '@tradetally/database';
import { type TestDatabase, createTestDatabase } from '@tradetally/database/testing';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Seeder, type WorkerProcess, startSmtp, startWorker, waitFor } from '../../testing/harness.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('e-mail to unconfirmed addresses (security.md)', () => {
  let database: TestDatabase;
  let seed: Seeder;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let worker: WorkerProcess;
  const prefix = `tt-cf-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    seed = await Seeder.open(database.url);
    smtp = await startSmtp();
    worker = startWorker({ DATABASE_URL: database.url, REDIS_URL, SMTP_URL: smtp.url, QUEUE_PREFIX: prefix, PUBLIC_URL: 'https://keys.example.test' });
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await smtp?.close();
    await seed?.close();
    await database?.drop();
  });

  it('sends an unconfirmed address its confirmation link and nothing else; the key name never reaches a subject', async () => {
    const owner = await seed.user(undefined, { verified: false });
    const key = await seed.key(owner.id, { name: 'Secret project https://evil.example', createdAt: new Date(Date.now() - 3_600_000) });
    const notificationId = randomUUID();
    await seed.db.query(
      "INSERT INTO notifications (id, user_id, api_key_id, type, title, body, created_at, dedupe_key) VALUES ($1, $2, $3, 'key_leaked', $4, $5, $6, $7)",
      [notificationId, owner.id, key.id, 'API key "Secret project https://evil.example" was exposed', 'Revoked at once.', new Date(), `leak-${key.id}`],
    );
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const email = new Queue(QueueName.Email, { connection, prefix });
    const events = new QueueEvents(QueueName.Email, { connection: connection.duplicate(), prefix });
    await events.waitUntilReady();
    try {
      // As the API does at registration (requested at the account's creation), and as the outbox
      // would for the leak notification. The sweep adds the same job id: still one e-mail.
      const [created] = await seed.db.query<{ created_at: unknown }>('SELECT created_at FROM users WHERE id = $1', [owner.id]);
      const confirmation = { userId: owner.id, requestedAt: (seed.db.date(created?.created_at) as Date).toISOString() };
      const leakMail = await email.add(JobName.SendEmail, { notificationId }, { jobId: jobId(JobName.SendEmail, { notificationId }) });
      await email.add(JobName.SendConfirmation, confirmation, { jobId: jobId(JobName.SendConfirmation, confirmation) });
      // The signal that the leak e-mail was considered: its job finished, with the reason it was held.
      expect(await leakMail.waitUntilFinished(events, 30_000)).toMatch(/not sent/);
      await waitFor('the confirmation e-mail', () => smtp.mails.some((m) => m.to === owner.email));
      const mails = smtp.mails.filter((m) => m.to === owner.email);
      expect(mails).toHaveLength(1);
      const mail = mails[0]!;
      expect(mail.subject).toBe('Confirm your e-mail address for TradeTally Keys');
      for (const m of smtp.mails) expect(m.subject).not.toContain('Secret project');
      const body = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      const token = /https:\/\/keys\.example\.test\/verify-email\?token=([A-Za-z0-9_-]{43})/.exec(body)?.[1];
      expect(token).toBeDefined();
      const [row] = await seed.db.query<{ email_token_hash: string; email_verified_at: unknown }>(
        'SELECT email_token_hash, email_verified_at FROM users WHERE id = $1',
        [owner.id],
      );
      expect(row?.email_token_hash).toBe(hashOpaqueToken(token as string));
      expect(row?.email_verified_at).toBeNull();
      expect(await seed.count('SELECT COUNT(*) AS n FROM notifications WHERE id = $1 AND emailed_at IS NOT NULL', [notificationId])).toBe(0);
    } finally {
      await events.close();
      await email.close();
      connection.disconnect();
    }
  });

  it('sends the confirmation of a registration whose job was lost (Redis away), from the sweep', async () => {
    const owner = await seed.user(undefined, { verified: false });
    await waitFor('the sweep’s confirmation e-mail', () => smtp.mails.some((m) => m.to === owner.email), 20_000);
    expect(smtp.mails.filter((m) => m.to === owner.email)).toHaveLength(1);
    const [row] = await seed.db.query<{ email_token_hash: string | null }>('SELECT email_token_hash FROM users WHERE id = $1', [owner.id]);
    expect(row?.email_token_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
