import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DAY_MS, EMAILED_NOTIFICATION_TYPES, EMAIL_TOKEN_TTL_MS, IDEMPOTENCY_KEPT_MS, JobName, effectKey } from '@tradetally/contracts';
import { ApiKeysRepository, EffectsRepository, IdempotencyRepository, RecordsRepository, UsersRepository } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import { CronJob } from 'cron';
import type { WorkerConfig } from '../config.js';
import { dueWindows, rotationPeriod } from '../queues/lifecycle/lifecycle.service.js';
import { WORKER_CONFIG } from '../tokens.js';

/** Notifications whose e-mail is older than this are not retried by the outbox any more. */
const OUTBOX_DAYS = 7;

/** What one sweep enqueued. */
export interface SweepReport {
  expiryReminders: number;
  expired: number;
  rotationsDue: number;
  finishRotations: number;
  unusedKeys: number;
  confirmations: number;
  emails: number;
  /** Idempotency-Key answers older than a day, deleted. */
  idempotencyKeysPurged: number;
  ms: number;
}

/**
 * The sweep: on SWEEP_CRON and once at start, finds what is due in the database and enqueues it
 * with deterministic job ids. It changes nothing itself, so sweeps running twice, or on several
 * workers at once, add each job once; the processors' effect ledger does the rest. The one thing it
 * deletes: the API's kept Idempotency-Key answers once they are a day old.
 */
@Injectable()
export class SweepService implements OnApplicationBootstrap {
  private readonly log = new Logger('Sweep');
  private running: Promise<SweepReport> | null = null;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: Pick<WorkerConfig, 'SWEEP_CRON' | 'REMINDER_DAYS' | 'ROTATION_AGE_DAYS' | 'UNUSED_DAYS'>,
    @Inject(ApiKeysRepository)
    private readonly keys: Pick<ApiKeysRepository, 'expiringBetween' | 'expiredUnrecorded' | 'rotatableCreatedBefore' | 'inGrace' | 'idleSince'>,
    @Inject(EffectsRepository) private readonly effects: Pick<EffectsRepository, 'claimed'>,
    @Inject(RecordsRepository) private readonly records: Pick<RecordsRepository, 'unsent'>,
    @Inject(UsersRepository) private readonly users: Pick<UsersRepository, 'awaitingConfirmation'>,
    @Inject(JobProducer) private readonly jobs: JobQueue & Pick<JobProducer, 'ready'>,
    private readonly scheduler: SchedulerRegistry,
    @Inject(IdempotencyRepository) private readonly idempotency: Pick<IdempotencyRepository, 'purgeBefore'>,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({ cronTime: this.config.SWEEP_CRON, onTick: () => void this.sweepSafely(), start: true });
    this.scheduler.addCronJob('sweep', job);
    // The first sweep waits for Redis: an add while the connection is still coming up would be
    // skipped, and the next sweep may be minutes away.
    void this.jobs.ready().then(() => this.sweepSafely());
  }

  private async sweepSafely(): Promise<void> {
    try {
      const report = await this.sweep();
      this.log.log(`sweep found due (jobs already queued are not added twice): ${JSON.stringify(report)}`);
    } catch (error) {
      // Redis or the database is away: the next sweep catches up from the database.
      this.log.warn(`sweep failed, the next one catches up: ${(error as Error).message}`);
    }
  }

  /** One sweep; a sweep already under way in this process is joined, not repeated. */
  sweep(): Promise<SweepReport> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<SweepReport> {
    const started = Date.now();
    const now = new Date();
    const expiryReminders = await this.expiryReminders(now);
    const expired = await this.expired(now);
    const rotationsDue = await this.rotationsDue(now);
    const finishRotations = await this.finishRotations();
    const unusedKeys = await this.unusedKeys(now);
    const confirmations = await this.confirmations(now);
    const emails = await this.outbox(now);
    const idempotencyKeysPurged = await this.idempotency.purgeBefore(new Date(now.getTime() - IDEMPOTENCY_KEPT_MS));
    return { expiryReminders, expired, rotationsDue, finishRotations, unusedKeys, confirmations, emails, idempotencyKeysPurged, ms: Date.now() - started };
  }

  private async expiryReminders(now: Date): Promise<number> {
    const widest = Math.max(...this.config.REMINDER_DAYS);
    const keys = await this.keys.expiringBetween(now, new Date(now.getTime() + widest * DAY_MS));
    const due = keys.flatMap((key) => {
      const windows = dueWindows(key, now, this.config.REMINDER_DAYS);
      return windows.length ? [{ keyId: key.id, windowDays: windows[0] as number }] : [];
    });
    const fresh = await this.notDone(due, (d) => effectKey.expiry(d.keyId, d.windowDays));
    await this.jobs.addBulk(
      JobName.ExpiryReminder,
      fresh.map((payload) => ({ payload })),
    );
    return fresh.length;
  }

  private async expired(now: Date): Promise<number> {
    const ids = await this.keys.expiredUnrecorded(now);
    await this.jobs.addBulk(
      JobName.KeyExpired,
      ids.map((keyId) => ({ payload: { keyId } })),
    );
    return ids.length;
  }

  private async rotationsDue(now: Date): Promise<number> {
    if (this.config.ROTATION_AGE_DAYS <= 0) return 0;
    const keys = await this.keys.rotatableCreatedBefore(now, new Date(now.getTime() - this.config.ROTATION_AGE_DAYS * DAY_MS));
    const due = keys.map((key) => ({ keyId: key.id, period: rotationPeriod(key.createdAt, now, this.config.ROTATION_AGE_DAYS) }));
    const fresh = await this.notDone(due, (d) => effectKey.rotationDue(d.keyId, d.period));
    await this.jobs.addBulk(
      JobName.RotationDue,
      fresh.map((payload) => ({ payload })),
    );
    return fresh.length;
  }

  /** Re-creates the API's delayed finish-rotation jobs; one Redis lost fires late, never not at all. */
  private async finishRotations(): Promise<number> {
    const keys = await this.keys.inGrace();
    await this.jobs.addBulk(
      JobName.FinishRotation,
      keys.map((key) => ({ payload: { keyId: key.id }, at: key.graceEndsAt })),
    );
    return keys.length;
  }

  /** Active, non-canary keys idle for UNUSED_DAYS (since their last use, or creation), not yet told this period. */
  private async unusedKeys(now: Date): Promise<number> {
    if (this.config.UNUSED_DAYS <= 0) return 0;
    const keys = await this.keys.idleSince(now, new Date(now.getTime() - this.config.UNUSED_DAYS * DAY_MS));
    const fresh = await this.notDone(keys, (key) => effectKey.unused(key.id, key.since));
    await this.jobs.addBulk(
      JobName.UnusedKey,
      fresh.map((key) => ({ payload: { keyId: key.id, since: key.since.toISOString() } })),
    );
    return fresh.length;
  }

  /**
   * Registrations from the last day whose confirmation e-mail never went (Redis was away when the
   * API queued it): the same job id as the API's (requested at the account's creation), so a job
   * that is only late is not added twice.
   */
  private async confirmations(now: Date): Promise<number> {
    const users = await this.users.awaitingConfirmation(new Date(now.getTime() - EMAIL_TOKEN_TTL_MS));
    await this.jobs.addBulk(
      JobName.SendConfirmation,
      users.map((user) => ({ payload: { userId: user.id, requestedAt: user.createdAt.toISOString() } })),
    );
    return users.length;
  }

  /**
   * The e-mail outbox: notifications of the types the catalog e-mails whose e-mail has not gone yet,
   * for confirmed addresses only, made after the confirmation (security.md: earlier ones stay in the app).
   */
  private async outbox(now: Date): Promise<number> {
    const ids = await this.records.unsent(EMAILED_NOTIFICATION_TYPES, new Date(now.getTime() - OUTBOX_DAYS * DAY_MS));
    await this.jobs.addBulk(
      JobName.SendEmail,
      ids.map((notificationId) => ({ payload: { notificationId } })),
    );
    return ids.length;
  }

  /** The items whose effect key is not in the ledger yet. */
  private async notDone<T>(items: T[], keyOf: (item: T) => string): Promise<T[]> {
    const done = await this.effects.claimed(items.map(keyOf));
    return items.filter((item) => !done.has(keyOf(item)));
  }
}
