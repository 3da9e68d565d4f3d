import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { type DynamicModule, Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { JOB_OPTIONS, JobName, type JobPayloads, QueueName, jobId } from '@tradetally/contracts';
import { redisRetryStrategy } from '@tradetally/database';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config.js';
import { QUEUE_REDIS } from './tokens.js';

const ENQUEUE_TIMEOUT_MS = 1000;

/**
 * The API's side of the lifecycle queue: it only enqueues. An enqueue never blocks a request for
 * long and never fails it: while Redis is down the job is skipped, and the worker's sweep re-creates
 * it from the database (lifecycle.md), because the database, not the queue, is the record.
 */
@Injectable()
export class LifecycleQueueService implements OnApplicationShutdown {
  private readonly log = new Logger('LifecycleQueue');

  constructor(
    @Inject(QUEUE_REDIS) private readonly connection: Redis,
    @InjectQueue(QueueName.Lifecycle) private readonly queue: Queue,
    @InjectQueue(QueueName.Email) private readonly emailQueue: Queue,
  ) {
    this.queue.on('error', () => undefined); // reported once by the main Redis client
    this.emailQueue.on('error', () => undefined);
  }

  /**
   * The producer's queues through @nestjs/bullmq, on a connection of their own that never queues
   * a command while Redis is away (enableOfflineQueue: false): an enqueue fails fast instead.
   */
  static queues(config: AppConfig): { imports: DynamicModule[]; connection: Provider } {
    const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, enableOfflineQueue: false, retryStrategy: redisRetryStrategy });
    connection.on('error', () => undefined);
    return {
      imports: [
        BullModule.forRoot({ connection, prefix: config.QUEUE_PREFIX }),
        BullModule.registerQueue({ name: QueueName.Lifecycle }, { name: QueueName.Email }),
      ],
      connection: { provide: QUEUE_REDIS, useValue: connection },
    };
  }

  /** Asks the worker to alert a canary key's owner; one job per key and 10-minute window. */
  canaryAlert(keyId: string, window: number): Promise<boolean> {
    const payload: JobPayloads['canary-alert'] = { keyId, window };
    return this.add(JobName.CanaryAlert, payload, jobId.canaryAlert(payload), 0);
  }

  /** Asks the worker to e-mail a notification the API wrote (the worker's outbox catches up if Redis is down). */
  email(notificationId: string): Promise<boolean> {
    const payload: JobPayloads['send-email'] = { notificationId };
    return this.add(JobName.SendEmail, payload, jobId.sendEmail(payload), 0, this.emailQueue);
  }

  /** Asks the worker to e-mail a confirmation link (it makes the token: none travels through Redis). */
  emailConfirmation(userId: string, requestedAt: Date): Promise<boolean> {
    const payload: JobPayloads['send-confirmation'] = { userId, requestedAt: requestedAt.toISOString() };
    return this.add(JobName.SendConfirmation, payload, jobId.sendConfirmation(payload), 0, this.emailQueue);
  }

  /** Delays the finish of a rotation to the old key's grace end. */
  finishRotation(keyId: string, graceEndsAt: Date): Promise<boolean> {
    const payload: JobPayloads['finish-rotation'] = { keyId };
    const delay = Math.max(0, graceEndsAt.getTime() - Date.now());
    return this.add(JobName.FinishRotation, payload, jobId.finishRotation(payload), delay);
  }

  /** Asks the worker to send the leak e-mail. */
  leakFollowUp(keyId: string, auditEventId: string): Promise<boolean> {
    const payload: JobPayloads['leak-follow-up'] = { keyId, auditEventId };
    return this.add(JobName.LeakFollowUp, payload, jobId.leakFollowUp(payload), 0);
  }

  private async add(name: JobName, data: object, id: string, delay: number, queue: Queue = this.queue): Promise<boolean> {
    if (this.connection.status !== 'ready') {
      this.log.warn(`Redis is down: ${name} ${id} left to the worker's sweep`);
      return false;
    }
    const options = { ...JOB_OPTIONS, jobId: id, delay };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ENQUEUE_TIMEOUT_MS);
    });
    try {
      await Promise.race([queue.add(name, data, options), timeout]);
      return true;
    } catch (error) {
      this.log.warn(`could not enqueue ${name} ${id} (${(error as Error).message}); the worker's sweep will`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // BullModule closes the queues; the connection was passed in, so it is ours to end.
    await Promise.all([this.queue.close().catch(() => undefined), this.emailQueue.close().catch(() => undefined)]);
    this.connection.disconnect();
  }
}
