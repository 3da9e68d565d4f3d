import { JOBS, type JobName, type JobNameOf, type JobPayloads, QueueName, jobId } from '@tradetally/contracts';
import { type Job, Queue, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { redisRetryStrategy } from './config.js';

/*
 * BullMQ as both apps use it, typed by the job table of @tradetally/contracts: one producer (the
 * API and the worker add jobs the same way) and one dispatcher (processors are handler maps).
 */

/**
 * How long an add may take before the caller goes on without it. A request never waits longer
 * for Redis, and a job not added is not lost: the database is the record, and the worker's sweep
 * re-creates every job from it (lifecycle.md).
 */
export const ENQUEUE_TIMEOUT_MS = 1000;

/** Jobs per Redis round trip when many are added at once (a sweep over many keys). */
const BULK_CHUNK = 500;

/** One job to add: its payload, and when it is due if not at once (a delayed job). */
export interface JobToAdd<N extends JobName> {
  payload: JobPayloads[N];
  at?: Date;
}

/** What services need of the producer (their unit specs pass a double). */
export interface JobQueue {
  /** Adds one job; false when Redis is down or slow, and the job is left to the sweep. */
  add<N extends JobName>(name: N, payload: JobPayloads[N], options?: { at?: Date }): Promise<boolean>;
  /** Adds many jobs of one name; returns how many reached Redis (the others are left to the sweep). */
  addBulk<N extends JobName>(name: N, items: ReadonlyArray<JobToAdd<N>>): Promise<number>;
}

/**
 * The one producer of the API and the worker. Every job gets its table entry's deterministic id
 * and options, so adding it twice (two sweeps, two workers, the API and the sweep) makes one job.
 * An add never throws and never waits long: while Redis is down (its own connection queues no
 * command: enableOfflineQueue false) or when it does not answer within ENQUEUE_TIMEOUT_MS, the job
 * is skipped with a warning and the sweep re-creates it from the database.
 */
export class JobProducer implements JobQueue {
  constructor(
    private readonly connection: Pick<Redis, 'status' | 'once' | 'disconnect'>,
    private readonly queues: Record<QueueName, Pick<Queue, 'addBulk' | 'close'>>,
    private readonly warn: (message: string) => void,
    private readonly timeoutMs = ENQUEUE_TIMEOUT_MS,
  ) {}

  /** A producer on a connection of its own to `redisUrl`, for queues under `prefix` (QUEUE_PREFIX). */
  static connect(redisUrl: string, prefix: string, warn: (message: string) => void): JobProducer {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null, enableOfflineQueue: false, retryStrategy: redisRetryStrategy });
    connection.on('error', () => undefined); // the apps report Redis' state through their own clients
    const queue = (name: QueueName) => new Queue(name, { connection, prefix }).on('error', () => undefined);
    return new JobProducer(connection, { [QueueName.Lifecycle]: queue(QueueName.Lifecycle), [QueueName.Email]: queue(QueueName.Email) }, warn);
  }

  /** Resolves once the connection is up: the worker's first sweep waits for it instead of skipping its jobs. */
  ready(): Promise<void> {
    if (this.connection.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.connection.once('ready', () => resolve()));
  }

  async add<N extends JobName>(name: N, payload: JobPayloads[N], options: { at?: Date } = {}): Promise<boolean> {
    return (await this.addBulk(name, [{ payload, at: options.at }])) === 1;
  }

  async addBulk<N extends JobName>(name: N, items: ReadonlyArray<JobToAdd<N>>): Promise<number> {
    let added = 0;
    for (let i = 0; i < items.length; i += BULK_CHUNK) {
      const chunk = items.slice(i, i + BULK_CHUNK);
      if (await this.addChunk(name, chunk)) added += chunk.length;
    }
    return added;
  }

  private async addChunk<N extends JobName>(name: N, items: ReadonlyArray<JobToAdd<N>>): Promise<boolean> {
    const entry = JOBS[name];
    const what = items.length === 1 ? `${name} ${jobId(name, items[0]!.payload)}` : `${items.length} ${name} jobs`;
    if (this.connection.status !== 'ready') {
      this.warn(`Redis is down: ${what} left to the worker's sweep`);
      return false;
    }
    const now = Date.now();
    const jobs = items.map(({ payload, at }) => ({
      name,
      data: payload,
      opts: { ...entry.options, jobId: jobId(name, payload), ...(at ? { delay: Math.max(0, at.getTime() - now) } : {}) },
    }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), this.timeoutMs);
    });
    try {
      await Promise.race([this.queues[entry.queue].addBulk(jobs), timeout]);
      return true;
    } catch (error) {
      this.warn(`could not enqueue ${what} (${(error as Error).message}); the worker's sweep will`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the queues and the connection. */
  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((queue) => queue.close().catch(() => undefined)));
    this.connection.disconnect();
  }
}

/** A processor's handlers: one per job of its queue, each given the job's validated payload. */
export type JobHandlers<Q extends QueueName> = { [N in JobNameOf<Q>]: (payload: JobPayloads[N], job: Job) => Promise<string> };

/**
 * Runs a job taken off `queue` by its handler. The payload is validated against the job's table
 * entry first: a malformed payload or a job this queue has no handler for can never succeed, so
 * it fails at once (UnrecoverableError) instead of being retried.
 */
export function dispatchJob<Q extends QueueName>(queue: Q, handlers: JobHandlers<Q>, job: Job): Promise<string> {
  const name = job.name as JobNameOf<Q>;
  if (!Object.hasOwn(handlers, name)) throw new UnrecoverableError(`no handler for job ${job.name} on ${queue}`);
  const parsed = JOBS[name].payload.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`malformed ${name} payload: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const handler = handlers[name] as (payload: unknown, job: Job) => Promise<string>;
  return handler(parsed.data, job);
}
