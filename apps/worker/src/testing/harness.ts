import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { DAY_MS, HOUR_MS, QueueName, generateApiKey, parseApiKey } from '@tradetally/contracts';
import { type Db, openDb } from '@tradetally/database';
import { startBuiltWorker, waitFor } from '@tradetally/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

// The shared pieces (SMTP capture, waitFor) live in @tradetally/testing; what is re-exported here
// keeps the suites' imports in one place.
export { type Mail, startSmtp, waitFor } from '@tradetally/testing';

export const PEPPER = 'worker-test-pepper-worker-test-pepper';

/** A worker process (the built dist/main.js) with its output kept. */
export type WorkerProcess = ReturnType<typeof startBuiltWorker>;

/** Starts a real worker process; by default it sweeps every second and keeps job locks short. */
export function startWorker(env: Record<string, string>): WorkerProcess {
  return startBuiltWorker({ SWEEP_CRON: '* * * * * *', ROTATION_AGE_DAYS: '0', UNUSED_DAYS: '0', JOB_LOCK_MS: '2000', LOG_LEVEL: 'info', ...env });
}

/**
 * Sweeps the worker has logged (one "sweep found due" line each; SWEEP_CRON every second, LOG_LEVEL
 * info). A test that checks nothing (more) happens waits for a few more of these first: it then
 * knows the worker looked again, instead of hoping a fixed sleep was long enough.
 */
export const sweeps = (worker: WorkerProcess): number => worker.output.join('').split('sweep found due').length - 1;

/** Resolves once the worker has logged `count` more sweeps than it had when called. */
export async function moreSweeps(worker: WorkerProcess, count: number, timeoutMs = 30_000): Promise<void> {
  const target = sweeps(worker) + count;
  await waitFor(
    `${count} more sweeps`,
    () => {
      if (worker.child.exitCode !== null) throw new Error(`the worker exited:\n${worker.output.join('')}`);
      return sweeps(worker) >= target;
    },
    timeoutMs,
  );
}

/**
 * The signal a "nothing more happens" test waits for instead of a sleep: every worker has logged
 * `count` more sweeps, and then neither queue under `prefix` has a job waiting or running. A sweep
 * that wrongly queued an effect again has then had its job run, so asserting "still one" after
 * this checks something however slow the machine is.
 */
export async function settled(
  workers: WorkerProcess[],
  prefix: string,
  redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  count = 3,
): Promise<void> {
  await Promise.all(workers.map((worker) => moreSweeps(worker, count)));
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queues = [QueueName.Lifecycle, QueueName.Email].map((name) => new Queue(name, { connection, prefix }));
  try {
    await waitFor(`the ${prefix} queues idle`, async () => {
      const counts = await Promise.all(queues.map((queue) => queue.getJobCounts('waiting', 'active', 'prioritized')));
      return counts.every((c) => Object.values(c).every((n) => n === 0));
    });
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
    connection.disconnect();
  }
}

/** Rows in a database the test set up through the real migrations. */
export class Seeder {
  private constructor(readonly db: Db) {}

  static async open(url: string): Promise<Seeder> {
    return new Seeder(await openDb(url));
  }

  async user(email = `owner-${randomBytes(4).toString('hex')}@example.com`, options: { verified?: boolean } = {}): Promise<{ id: string; email: string }> {
    const id = randomUUID();
    // Confirmed a day ago unless a test says otherwise: only confirmed addresses get e-mail.
    const verifiedAt = options.verified === false ? null : new Date(Date.now() - DAY_MS);
    await this.db.query('INSERT INTO users (id, email, password_hash, created_at, email_verified_at) VALUES ($1, $2, $3, $4, $5)', [
      id,
      email,
      'scrypt$unused',
      new Date(),
      verifiedAt,
    ]);
    return { id, email };
  }

  /** A key row as the API would store it; returns its id and the raw secret (which only the test knows). */
  async key(
    userId: string,
    fields: {
      name?: string;
      createdAt: Date;
      expiresAt?: Date | null;
      graceEndsAt?: Date | null;
      rotatedToId?: string | null;
      lastUsedAt?: Date | null;
      canary?: boolean;
    },
  ) {
    const id = randomUUID();
    const secret = generateApiKey('live');
    const parts = parseApiKey(secret);
    await this.db.query(
      `INSERT INTO api_keys (id, user_id, name, scope, environment, prefix, last4, key_hash, created_at, expires_at, grace_ends_at, rotated_to_id, last_used_at, canary)
       VALUES ($1, $2, $3, 'read_write', 'live', $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        id,
        userId,
        fields.name ?? 'Broker sync',
        parts?.prefix ?? '',
        parts?.last4 ?? '',
        createHmac('sha256', PEPPER).update(secret).digest('hex'),
        fields.createdAt,
        fields.expiresAt ?? null,
        fields.graceEndsAt ?? null,
        fields.rotatedToId ?? null,
        fields.lastUsedAt ?? null,
        fields.canary ?? false,
      ],
    );
    return { id, secret, prefix: parts?.prefix ?? '', last4: parts?.last4 ?? '' };
  }

  /** A `key_expiring` notification of the user's, made now and not yet e-mailed (so its e-mail is due); resolves to its id. */
  async dueEmail(userId: string): Promise<string> {
    const id = randomUUID();
    await this.db.query('INSERT INTO notifications (id, user_id, api_key_id, type, title, body, created_at) VALUES ($1, $2, NULL, $3, $4, $5, $6)', [
      id,
      userId,
      'key_expiring',
      'Key expiring',
      'A key expires soon.',
      new Date(),
    ]);
    return id;
  }

  async count(sql: string, params: Array<string | Date> = []): Promise<number> {
    const [row] = await this.db.query<{ n: number | string }>(sql, params);
    return Number(row?.n ?? 0);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Hours from now as a Date. */
export const hoursFromNow = (hours: number) => new Date(Date.now() + hours * HOUR_MS);
