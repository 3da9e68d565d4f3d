import { randomBytes, randomUUID } from 'node:crypto';
import { CANARY_ALERT_WINDOW_MS, JobName, QueueName, jobId } from '@tradetally/contracts';
import { type TestDatabase, createTestDatabase, databaseKinds } from '@tradetally/database/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Seeder, type WorkerProcess, settled, startSmtp, startWorker, sweeps, waitFor } from '../../testing/harness.js';

const KINDS = await databaseKinds();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Three seconds, in days: UNUSED_DAYS takes decimals so a test can watch whole periods of disuse. */
const UNUSED_DAYS = String(3 / 86_400);

describe.each(KINDS)('unused keys and canary alerts on %s', (kind) => {
  let database: TestDatabase;
  let seed: Seeder;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const workers: WorkerProcess[] = [];
  let prefix: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    seed = await Seeder.open(database.url);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
    await smtp?.close();
  });
  afterAll(async () => {
    await seed?.close();
    await database?.drop();
  });

  const start = (extra: Record<string, string> = {}) => {
    const worker = startWorker({ DATABASE_URL: database.url, REDIS_URL, SMTP_URL: smtp.url, QUEUE_PREFIX: prefix, ...extra });
    workers.push(worker);
    return worker;
  };
  const unusedNotes = (keyId: string) => seed.count("SELECT COUNT(*) AS n FROM notifications WHERE api_key_id = $1 AND type = 'key_unused'", [keyId]);

  it('reminds about an idle key once, with its e-mail; canaries and busy keys get none', async () => {
    prefix = `tt-un-${randomBytes(4).toString('hex')}`;
    smtp = await startSmtp();
    const owner = await seed.user();
    const idle = await seed.key(owner.id, { name: 'idle', createdAt: new Date(Date.now() - 3_600_000) });
    const busy = await seed.key(owner.id, { name: 'busy', createdAt: new Date(Date.now() - 3_600_000), lastUsedAt: new Date(Date.now() + 3_600_000) });
    const decoy = await seed.key(owner.id, { name: 'decoy', createdAt: new Date(Date.now() - 3_600_000), canary: true });
    const worker = start({ UNUSED_DAYS });
    await waitFor('the idle key’s reminder', async () => (await unusedNotes(idle.id)) >= 1);
    await waitFor('the reminder’s e-mail', () => smtp.mails.some((m) => m.raw.replace(/=\r?\n/g, '').includes('"idle"')));
    // The worker sweeps and works off its queues several more times: still exactly one, and none
    // for the busy key or the canary. (A new period after a use: lifecycle.service.spec.ts.)
    await settled([worker], prefix, REDIS_URL);
    expect(await unusedNotes(idle.id)).toBe(1);
    expect(await unusedNotes(busy.id)).toBe(0);
    expect(await unusedNotes(decoy.id)).toBe(0);
    expect(smtp.mails.find((m) => m.raw.includes('idle'))?.subject).toBe('A TradeTally API key has not been used for a while');
  });

  it('alerts a canary’s owner once for twenty uses in ten minutes, with where the last use came from', async () => {
    prefix = `tt-cn-${randomBytes(4).toString('hex')}`;
    smtp = await startSmtp();
    const owner = await seed.user();
    const canary = await seed.key(owner.id, { name: `decoy-${prefix}`, createdAt: new Date(Date.now() - 3_600_000), canary: true });
    // As the API leaves twenty uses: twenty audit events, and a job per use (one id per window).
    const window = Math.floor(Date.now() / CANARY_ALERT_WINDOW_MS);
    for (let i = 0; i < 20; i++) {
      await seed.db.query(
        "INSERT INTO audit_events (id, user_id, api_key_id, type, actor, details, created_at) VALUES ($1, $2, $3, 'key.canary_triggered', 'system', $4, $5)",
        [
          randomUUID(),
          owner.id,
          canary.id,
          JSON.stringify({ ip: '198.51.100.66', userAgent: 'curl/8.0', method: 'GET', path: `/v1/trades/${i}` }),
          new Date(Date.now() - (20 - i) * 1000),
        ],
      );
    }
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QueueName.Lifecycle, { connection, prefix });
    for (let i = 0; i < 20; i++) {
      const payload = { keyId: canary.id, window };
      await queue.add(JobName.CanaryAlert, payload, { jobId: jobId(JobName.CanaryAlert, payload) });
    }
    // A use in the next window, less than 10 minutes after the alert, is in the trail but alerts nobody.
    const next = { keyId: canary.id, window: window + 1 };
    await queue.add(JobName.CanaryAlert, next, { jobId: jobId(JobName.CanaryAlert, next) });
    const worker = start();
    await waitFor('the canary alert e-mail', () => smtp.mails.some((m) => m.subject === 'ALERT: a TradeTally decoy key was used'));
    await waitFor('both alert jobs done', async () => (await queue.getCompletedCount()) >= 2);
    const s = sweeps(worker);
    await waitFor('two more sweeps', () => sweeps(worker) >= s + 2);
    await queue.close();
    connection.disconnect();
    const [note] = await seed.db.query<{ body: string }>("SELECT body FROM notifications WHERE api_key_id = $1 AND type = 'key_canary_triggered'", [canary.id]);
    expect(await seed.count("SELECT COUNT(*) AS n FROM notifications WHERE api_key_id = $1 AND type = 'key_canary_triggered'", [canary.id])).toBe(1);
    expect(note?.body).toContain('198.51.100.66');
    expect(note?.body).toContain('curl/8.0');
    expect(note?.body).toContain('/v1/trades/19');
    expect(note?.body).toContain('20 time(s)');
    expect(smtp.mails.filter((m) => m.subject === 'ALERT: a TradeTally decoy key was used')).toHaveLength(1);
    expect(smtp.mails[0]?.subject).not.toContain('decoy-');
  });
});
