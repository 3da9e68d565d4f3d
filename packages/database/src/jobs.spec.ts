import { EventEmitter } from 'node:events';
import { JOB_OPTIONS, JobName, QueueName } from '@tradetally/contracts';
import { type Job, UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type JobHandlers, JobProducer, dispatchJob } from './jobs.js';

const KEY_ID = '2b0f7c3e-8d7a-4a53-9c1e-0a4f4d6b8e21';

/** A Redis connection double: its status, and 'ready' when a test says so. */
class FakeConnection extends EventEmitter {
  status = 'ready';
  disconnect = vi.fn();
}

/** A queue double that records what it was given, answering after `delayMs` (or never). */
function fakeQueue(delayMs: number | null = 0) {
  const added: Array<{ name: string; data: unknown; opts: Record<string, unknown> }> = [];
  return {
    added,
    close: vi.fn(async () => undefined),
    addBulk: vi.fn(async (jobs: typeof added) => {
      if (delayMs === null) return new Promise<never>(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      added.push(...jobs);
      return [];
    }),
  };
}

function producer(delayMs: number | null = 0) {
  const connection = new FakeConnection();
  const queues = { [QueueName.Lifecycle]: fakeQueue(delayMs), [QueueName.Email]: fakeQueue(delayMs) };
  const warnings: string[] = [];
  // The doubles have the two methods the producer calls; BullMQ's own types ask for far more.
  const jobs = new JobProducer(connection as never, queues as never, (message) => warnings.push(message));
  return { jobs, connection, queues, warnings };
}

describe('JobProducer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("adds a job to its table entry's queue with its deterministic id and options", async () => {
    const { jobs, queues } = producer();
    expect(await jobs.add(JobName.KeyExpired, { keyId: KEY_ID })).toBe(true);
    expect(await jobs.add(JobName.SendEmail, { notificationId: KEY_ID })).toBe(true);
    expect(queues[QueueName.Lifecycle].added).toEqual([{ name: 'key-expired', data: { keyId: KEY_ID }, opts: { ...JOB_OPTIONS, jobId: `expired-${KEY_ID}` } }]);
    expect(queues[QueueName.Email].added).toEqual([
      { name: 'send-email', data: { notificationId: KEY_ID }, opts: { ...JOB_OPTIONS, jobId: `email-${KEY_ID}` } },
    ]);
  });

  it('delays a job to its due time, never to the past', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-29T12:00:00Z'), toFake: ['Date'] });
    const { jobs, queues } = producer();
    await jobs.add(JobName.FinishRotation, { keyId: KEY_ID }, { at: new Date('2026-11-29T12:00:05Z') });
    await jobs.addBulk(JobName.FinishRotation, [{ payload: { keyId: KEY_ID }, at: new Date('2026-11-29T11:00:00Z') }]);
    expect(queues[QueueName.Lifecycle].added.map((job) => job.opts.delay)).toEqual([5000, 0]);
  });

  it('adds many jobs in round trips of 500', async () => {
    const { jobs, queues } = producer();
    const items = Array.from({ length: 1201 }, (_, i) => ({ payload: { keyId: KEY_ID, windowDays: i + 1 } }));
    expect(await jobs.addBulk(JobName.ExpiryReminder, items)).toBe(1201);
    expect(queues[QueueName.Lifecycle].addBulk.mock.calls.map(([chunk]) => chunk.length)).toEqual([500, 500, 201]);
    expect(new Set(queues[QueueName.Lifecycle].added.map((job) => job.opts.jobId)).size).toBe(1201);
  });

  it('leaves the job to the sweep at once while Redis is down, and says so', async () => {
    const { jobs, connection, queues, warnings } = producer();
    connection.status = 'reconnecting';
    expect(await jobs.add(JobName.LeakFollowUp, { keyId: KEY_ID, auditEventId: KEY_ID })).toBe(false);
    expect(await jobs.addBulk(JobName.KeyExpired, [{ payload: { keyId: KEY_ID } }, { payload: { keyId: KEY_ID } }])).toBe(0);
    expect(queues[QueueName.Lifecycle].addBulk).not.toHaveBeenCalled();
    expect(warnings).toEqual([
      `Redis is down: leak-follow-up leak-${KEY_ID}-${KEY_ID} left to the worker's sweep`,
      "Redis is down: 2 key-expired jobs left to the worker's sweep",
    ]);
  });

  it('gives up on a Redis that does not answer within a second, without throwing', async () => {
    vi.useFakeTimers();
    const { jobs, warnings } = producer(null);
    const added = jobs.add(JobName.CanaryAlert, { keyId: KEY_ID, window: 7 });
    await vi.advanceTimersByTimeAsync(999);
    expect(warnings).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await added).toBe(false);
    expect(warnings).toEqual([`could not enqueue canary-alert canary-${KEY_ID}-7 (timed out); the worker's sweep will`]);
  });

  it('waits for the connection when asked (the first sweep), and closes what it opened', async () => {
    const { jobs, connection, queues } = producer();
    connection.status = 'connecting';
    let ready = false;
    const waiting = jobs.ready().then(() => (ready = true));
    await Promise.resolve();
    expect(ready).toBe(false);
    connection.status = 'ready';
    connection.emit('ready');
    await waiting;
    await jobs.close();
    expect(queues[QueueName.Email].close).toHaveBeenCalled();
    expect(connection.disconnect).toHaveBeenCalled();
  });
});

describe('dispatchJob', () => {
  const seen: unknown[] = [];
  const handlers: JobHandlers<typeof QueueName.Email> = {
    'send-email': async (payload) => {
      seen.push(payload);
      return 'sent';
    },
    'send-confirmation': async () => 'confirmed',
  };
  const job = (name: string, data: unknown) => ({ name, data }) as Job;

  it("runs the job's handler with its validated payload", async () => {
    expect(await dispatchJob(QueueName.Email, handlers, job('send-email', { notificationId: KEY_ID }))).toBe('sent');
    expect(seen).toEqual([{ notificationId: KEY_ID }]);
  });

  it('fails a malformed payload at once: a retry cannot fix it', () => {
    expect(() => dispatchJob(QueueName.Email, handlers, job('send-email', { notificationId: 'not-a-uuid' }))).toThrow(UnrecoverableError);
    expect(() => dispatchJob(QueueName.Email, handlers, job('send-email', null))).toThrow(/malformed send-email payload/);
  });

  it("fails a job the queue has no handler for, including another queue's and an object's own properties", () => {
    expect(() => dispatchJob(QueueName.Email, handlers, job('expiry-reminder', { keyId: KEY_ID, windowDays: 1 }))).toThrow(UnrecoverableError);
    expect(() => dispatchJob(QueueName.Email, handlers, job('constructor', {}))).toThrow(/no handler for job constructor on email/);
    expect(() => dispatchJob(QueueName.Email, handlers, job('__proto__', {}))).toThrow(UnrecoverableError);
  });
});
