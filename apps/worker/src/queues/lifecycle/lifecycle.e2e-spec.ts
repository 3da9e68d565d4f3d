import { randomBytes, randomUUID } from 'node:crypto';
import { JobName, QueueName, messageKey } from '@tradetally/contracts';
import { type TestDatabase, createTestDatabase, databaseKinds } from '@tradetally/database/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Mail, Seeder, type WorkerProcess, hoursFromNow, settled, startSmtp, startWorker, waitFor } from '../../testing/harness.js';

const KINDS = await databaseKinds();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Everything under a queue prefix in Redis, as text (job names, payloads, return values). */
async function queueText(prefix: string): Promise<string> {
  const redis = new Redis(REDIS_URL);
  try {
    let text = '';
    for (const key of await redis.keys(`${prefix}:*`)) {
      const type = await redis.type(key);
      text += key;
      if (type === 'hash') text += JSON.stringify(await redis.hgetall(key));
      if (type === 'zset') text += JSON.stringify(await redis.zrange(key, 0, -1));
      if (type === 'list') text += JSON.stringify(await redis.lrange(key, 0, -1));
    }
    return text;
  } finally {
    redis.disconnect();
  }
}

// The rules themselves (reminder windows, expiry records, rotation periods, grace ends, canary
// windows, periods of disuse) are proven with doubles in lifecycle.service.spec.ts and
// sweep.service.spec.ts; these tests prove the wiring, and exactly-once on real databases, Redis
// and SMTP with two workers and a killed one.
describe.each(KINDS)('the lifecycle worker on %s', (kind) => {
  let database: TestDatabase;
  let seed: Seeder;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const workers: WorkerProcess[] = [];
  let prefix: string;

  const env = () => ({
    DATABASE_URL: database.url,
    REDIS_URL,
    SMTP_URL: smtp.url,
    QUEUE_PREFIX: prefix,
    REMINDER_DAYS: '7,1',
    PUBLIC_URL: 'https://keys.example.test',
  });
  const worker = (extra: Record<string, string> = {}) => {
    const started = startWorker({ ...env(), ...extra });
    workers.push(started);
    return started;
  };
  // Key names are in the bodies only (subjects are fixed texts); undo quoted-printable soft breaks.
  const mailsFor = (mails: Mail[], keyName: string) => mails.filter((m) => m.raw.replace(/=\r?\n/g, '').includes(keyName));

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

  async function fresh(delayMs = 0) {
    prefix = `tt-wk-${randomBytes(4).toString('hex')}`;
    smtp = await startSmtp(delayMs);
  }

  it('sends one reminder per key and window: one notification, one e-mail, one audit event', async () => {
    await fresh();
    const owner = await seed.user();
    const inSeven = await seed.key(owner.id, { name: `seven-${prefix}`, createdAt: hoursFromNow(-240), expiresAt: hoursFromNow(72) });
    const both = await seed.key(owner.id, { name: `both-${prefix}`, createdAt: hoursFromNow(-240), expiresAt: hoursFromNow(12) });
    const young = await seed.key(owner.id, { name: `young-${prefix}`, createdAt: hoursFromNow(-2), expiresAt: hoursFromNow(20) });
    const w = worker();
    await waitFor('two e-mails', () => smtp.mails.length >= 2);
    await settled([w], prefix, REDIS_URL); // three more sweeps, their jobs done, must change nothing

    const notifications = await seed.db.query<{ api_key_id: string; title: string }>("SELECT api_key_id, title FROM notifications WHERE type = 'key_expiring'");
    expect(notifications.map((n) => n.api_key_id).sort()).toEqual([inSeven.id, both.id].sort());
    expect(notifications.find((n) => n.api_key_id === both.id)?.title).toContain('1 day');
    expect(await seed.count("SELECT COUNT(*) AS n FROM audit_events WHERE type = 'key.reminder_sent'")).toBe(2);
    expect(await seed.count("SELECT COUNT(*) AS n FROM lifecycle_effects WHERE api_key_id = $1 AND status = 'skipped'", [both.id])).toBe(1);
    expect(mailsFor(smtp.mails, 'seven-')).toHaveLength(1);
    expect(mailsFor(smtp.mails, 'both-')).toHaveLength(1);
    expect(mailsFor(smtp.mails, 'young-')).toHaveLength(0);

    const mail = mailsFor(smtp.mails, 'seven-')[0] as Mail;
    expect(mail.to).toBe(owner.email);
    expect(mail.raw).toContain(`${inSeven.prefix}`);
    expect(mail.raw).toContain(inSeven.last4);
    expect(mail.raw).toContain('read_write');
    expect(mail.raw).toContain('https://keys.example.test/');
    // No e-mail, log line or job payload holds a raw key.
    const everything = smtp.mails.map((m) => m.raw).join('\n') + w.output.join('') + (await queueText(prefix));
    for (const key of [inSeven, both, young]) expect(everything.includes(key.secret.slice(8, 40))).toBe(false);
    expect(everything).toContain(inSeven.id); // the scan does see the jobs
  });

  it('does each effect once with two workers sweeping at the same time', async () => {
    await fresh();
    const owner = await seed.user();
    const keys = [];
    for (let i = 0; i < 30; i++)
      keys.push(await seed.key(owner.id, { name: `pair-${prefix}-${i}`, createdAt: hoursFromNow(-240), expiresAt: hoursFromNow(30 + i) }));
    const pair = [worker(), worker()];
    const ids = keys.map((k) => k.id);
    const count = (sql: string) => seed.count(`${sql} AND api_key_id IN (${ids.map((id) => `'${id}'`).join(', ')})`);
    await waitFor('30 e-mails', () => mailsFor(smtp.mails, `pair-${prefix}`).length >= 30);
    await settled(pair, prefix, REDIS_URL);
    expect(await count("SELECT COUNT(*) AS n FROM notifications WHERE type = 'key_expiring'")).toBe(30);
    expect(await count("SELECT COUNT(*) AS n FROM audit_events WHERE type = 'key.reminder_sent'")).toBe(30);
    expect(mailsFor(smtp.mails, `pair-${prefix}`)).toHaveLength(30);
    expect(new Set(smtp.mails.map((m) => m.messageId)).size).toBe(smtp.mails.length);
  });

  it('does each effect once when a worker is killed mid-way and another starts', async () => {
    await fresh(60);
    const owner = await seed.user();
    const keys = [];
    for (let i = 0; i < 60; i++)
      keys.push(await seed.key(owner.id, { name: `crash-${prefix}-${i}`, createdAt: hoursFromNow(-240), expiresAt: hoursFromNow(30 + i) }));
    const first = worker();
    await waitFor('the first e-mails', () => smtp.mails.length >= 3);
    await first.stop('SIGKILL');
    const before = smtp.mails.length;
    expect(before).toBeLessThan(60); // it really died with work left
    worker();
    const ids = keys.map((k) => `'${k.id}'`).join(', ');
    await waitFor(
      'every e-mail marked sent',
      async () => (await seed.count(`SELECT COUNT(*) AS n FROM notifications WHERE emailed_at IS NOT NULL AND api_key_id IN (${ids})`)) === 60,
      40_000,
    );
    expect(await seed.count(`SELECT COUNT(*) AS n FROM notifications WHERE api_key_id IN (${ids})`)).toBe(60);
    expect(await seed.count(`SELECT COUNT(*) AS n FROM audit_events WHERE api_key_id IN (${ids})`)).toBe(60);
    // A message cut off by the kill may arrive again, always under its one Message-ID.
    expect(new Set(smtp.mails.map((m) => m.messageId)).size).toBe(60);
    expect(smtp.mails.length - 60).toBeLessThanOrEqual(5);
  });

  it('revokes a rotated key at its grace end even when its delayed job was lost', async () => {
    await fresh();
    const owner = await seed.user();
    const successor = await seed.key(owner.id, { name: `next-${prefix}`, createdAt: new Date() });
    // As the API leaves a rotation: grace end set, no revoke yet; its delayed job never reached Redis.
    const old = await seed.key(owner.id, {
      name: `old-${prefix}`,
      createdAt: hoursFromNow(-24),
      graceEndsAt: new Date(Date.now() + 2500),
      rotatedToId: successor.id,
    });
    worker();
    await waitFor(
      'the old key revoked',
      async () => (await seed.count('SELECT COUNT(*) AS n FROM api_keys WHERE id = $1 AND revoked_at IS NOT NULL', [old.id])) === 1,
    );
    const [row] = await seed.db.query<{ revoke_reason: string; revoked_at: unknown; grace_ends_at: unknown }>(
      'SELECT revoke_reason, revoked_at, grace_ends_at FROM api_keys WHERE id = $1',
      [old.id],
    );
    expect(row?.revoke_reason).toBe('rotated');
    expect(seed.db.date(row?.revoked_at)?.getTime()).toBe(seed.db.date(row?.grace_ends_at)?.getTime());
    await waitFor(
      'the rotation notification',
      async () => (await seed.count("SELECT COUNT(*) AS n FROM notifications WHERE type = 'key_rotation_finished' AND api_key_id = $1", [old.id])) === 1,
    );
    expect(await seed.count("SELECT COUNT(*) AS n FROM audit_events WHERE type = 'key.revoked' AND actor = 'system' AND api_key_id = $1", [old.id])).toBe(1);
    expect(await seed.count('SELECT COUNT(*) AS n FROM api_keys WHERE id = $1 AND revoked_at IS NULL', [successor.id])).toBe(1);
  });

  it("e-mails the owner of a leaked key once, from the API's notification and its follow-up job", async () => {
    await fresh();
    const owner = await seed.user();
    const key = await seed.key(owner.id, { name: `leaked-${prefix}`, createdAt: hoursFromNow(-24) });
    // As the API leaves a leak report: the key revoked, the notification written, the follow-up job queued.
    await seed.db.query("UPDATE api_keys SET revoked_at = $1, revoke_reason = 'leak_reported' WHERE id = $2", [new Date(), key.id]);
    const data = {
      key: messageKey({ ...key, name: `leaked-${prefix}`, scope: 'read_write', environment: 'live' }),
      seenAt: null,
      source: 'manual',
      reportedAt: new Date().toISOString(),
    };
    await seed.db.query(
      "INSERT INTO notifications (id, user_id, api_key_id, type, title, body, data, created_at, dedupe_key) VALUES ($1, $2, $3, 'key_leaked', $4, $5, $6, $7, $8)",
      [
        randomUUID(),
        owner.id,
        key.id,
        `API key "leaked-${prefix}" was exposed and has been revoked`,
        'Revoked at once.',
        JSON.stringify(data),
        new Date(),
        `leak-${key.id}`,
      ],
    );
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QueueName.Lifecycle, { connection, prefix });
    await queue.add(JobName.LeakFollowUp, { keyId: key.id, auditEventId: randomUUID() }, { jobId: `leak-${key.id}-x` });
    await queue.close();
    connection.disconnect();
    const w = worker();
    await waitFor('the leak e-mail', () => mailsFor(smtp.mails, 'leaked-').length >= 1);
    await settled([w], prefix, REDIS_URL);
    expect(mailsFor(smtp.mails, 'leaked-')).toHaveLength(1);
    expect(mailsFor(smtp.mails, 'leaked-')[0]?.raw).toContain(`${key.prefix}`);
    expect(mailsFor(smtp.mails, 'leaked-')[0]?.subject).toBe('A TradeTally API key was exposed and has been revoked');
    expect(mailsFor(smtp.mails, 'leaked-')[0]?.raw.replace(/=\r?\n/g, '')).toContain(`key "leaked-${prefix}" (${key.prefix}`);
    expect(await seed.count('SELECT COUNT(*) AS n FROM notifications WHERE api_key_id = $1 AND emailed_at IS NOT NULL', [key.id])).toBe(1);
  });
});
