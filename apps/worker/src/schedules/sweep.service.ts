import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DAY_MS, EMAILED_NOTIFICATION_TYPES, EMAIL_TOKEN_TTL_MS, JobName, effectKey } from '@tradetally/contracts';
import { type Db, activeKeySql } from '@tradetally/database';
import { JobProducer } from '@tradetally/database/jobs';
import { CronJob } from 'cron';
import type { WorkerConfig } from '../config.js';
import { dueWindows, rotationPeriod } from '../queues/lifecycle/lifecycle.service.js';
import { DB, WORKER_CONFIG } from '../tokens.js';

/** Notifications whose e-mail is older than this are not retried by the outbox any more. */
const OUTBOX_DAYS = 7;
const CHUNK = 500;
/** The notification types the catalog e-mails, as an SQL list (constants of the catalog, not input). */
const EMAILED_TYPES_SQL = EMAILED_NOTIFICATION_TYPES.map((type) => `'${type}'`).join(', ');

/** What one sweep enqueued. */
export interface SweepReport {
  expiryReminders: number;
  expired: number;
  rotationsDue: number;
  finishRotations: number;
  unusedKeys: number;
  confirmations: number;
  emails: number;
  ms: number;
}

/**
 * The sweep: on SWEEP_CRON and once at start, finds what is due in the database and enqueues it
 * with deterministic job ids. It changes nothing itself, so sweeps running twice, or on several
 * workers at once, add each job once; the processors' effect ledger does the rest.
 */
@Injectable()
export class SweepService implements OnApplicationBootstrap {
  private readonly log = new Logger('Sweep');
  private running: Promise<SweepReport> | null = null;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(DB) private readonly db: Db,
    private readonly jobs: JobProducer,
    private readonly scheduler: SchedulerRegistry,
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
    return { expiryReminders, expired, rotationsDue, finishRotations, unusedKeys, confirmations, emails, ms: Date.now() - started };
  }

  private async expiryReminders(now: Date): Promise<number> {
    const widest = Math.max(...this.config.REMINDER_DAYS);
    const rows = await this.db.query<{ id: string; created_at: unknown; expires_at: unknown }>(
      `SELECT id, created_at, expires_at FROM api_keys
        WHERE revoked_at IS NULL AND canary = $3 AND (grace_ends_at IS NULL OR grace_ends_at > $1) AND expires_at > $1 AND expires_at <= $2`,
      [now, new Date(now.getTime() + widest * DAY_MS), false],
    );
    const due = rows.flatMap((row) => {
      const windows = dueWindows(
        { createdAt: this.db.date(row.created_at) as Date, expiresAt: this.db.date(row.expires_at) as Date },
        now,
        this.config.REMINDER_DAYS,
      );
      return windows.length ? [{ keyId: row.id, windowDays: windows[0] as number }] : [];
    });
    const fresh = await this.notDone(due, (d) => effectKey.expiry(d.keyId, d.windowDays));
    await this.jobs.addBulk(
      JobName.ExpiryReminder,
      fresh.map((payload) => ({ payload })),
    );
    return fresh.length;
  }

  private async expired(now: Date): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM api_keys k
        WHERE expires_at <= $1 AND revoked_at IS NULL AND (grace_ends_at IS NULL OR grace_ends_at > expires_at)
          AND NOT EXISTS (SELECT 1 FROM lifecycle_effects e WHERE e.api_key_id = k.id AND e.kind = 'expired')`,
      [now],
    );
    await this.jobs.addBulk(
      JobName.KeyExpired,
      rows.map((row) => ({ payload: { keyId: row.id } })),
    );
    return rows.length;
  }

  private async rotationsDue(now: Date): Promise<number> {
    if (this.config.ROTATION_AGE_DAYS <= 0) return 0;
    const rows = await this.db.query<{ id: string; created_at: unknown }>(
      `SELECT id, created_at FROM api_keys
        WHERE revoked_at IS NULL AND canary = $3 AND rotated_to_id IS NULL AND grace_ends_at IS NULL AND (expires_at IS NULL OR expires_at > $1) AND created_at <= $2`,
      [now, new Date(now.getTime() - this.config.ROTATION_AGE_DAYS * DAY_MS), false],
    );
    const due = rows.map((row) => ({ keyId: row.id, period: rotationPeriod(this.db.date(row.created_at) as Date, now, this.config.ROTATION_AGE_DAYS) }));
    const fresh = await this.notDone(due, (d) => effectKey.rotationDue(d.keyId, d.period));
    await this.jobs.addBulk(
      JobName.RotationDue,
      fresh.map((payload) => ({ payload })),
    );
    return fresh.length;
  }

  /** Re-creates the API's delayed finish-rotation jobs; one Redis lost fires late, never not at all. */
  private async finishRotations(): Promise<number> {
    const rows = await this.db.query<{ id: string; grace_ends_at: unknown }>(
      'SELECT id, grace_ends_at FROM api_keys WHERE revoked_at IS NULL AND grace_ends_at IS NOT NULL',
      [],
    );
    await this.jobs.addBulk(
      JobName.FinishRotation,
      rows.map((row) => ({ payload: { keyId: row.id }, at: this.db.date(row.grace_ends_at) as Date })),
    );
    return rows.length;
  }

  /** Active, non-canary keys idle for UNUSED_DAYS (since their last use, or creation), not yet told this period. */
  private async unusedKeys(now: Date): Promise<number> {
    if (this.config.UNUSED_DAYS <= 0) return 0;
    const rows = await this.db.query<{ id: string; created_at: unknown; last_used_at: unknown }>(
      `SELECT id, created_at, last_used_at FROM api_keys
        WHERE ${activeKeySql('', '$1')} AND canary = $3 AND COALESCE(last_used_at, created_at) <= $2`,
      [now, new Date(now.getTime() - this.config.UNUSED_DAYS * DAY_MS), false],
    );
    const due = rows.map((row) => ({ keyId: row.id, since: this.db.date(row.last_used_at) ?? (this.db.date(row.created_at) as Date) }));
    const fresh = await this.notDone(due, (d) => effectKey.unused(d.keyId, d.since));
    await this.jobs.addBulk(
      JobName.UnusedKey,
      fresh.map((d) => ({ payload: { keyId: d.keyId, since: d.since.toISOString() } })),
    );
    return fresh.length;
  }

  /**
   * Registrations from the last day whose confirmation e-mail never went (Redis was away when the
   * API queued it): the same job id as the API's (requested at the account's creation), so a job
   * that is only late is not added twice.
   */
  private async confirmations(now: Date): Promise<number> {
    const rows = await this.db.query<{ id: string; created_at: unknown }>(
      'SELECT id, created_at FROM users WHERE email_verified_at IS NULL AND email_token_hash IS NULL AND created_at > $1',
      [new Date(now.getTime() - EMAIL_TOKEN_TTL_MS)],
    );
    await this.jobs.addBulk(
      JobName.SendConfirmation,
      rows.map((row) => ({ payload: { userId: row.id, requestedAt: (this.db.date(row.created_at) as Date).toISOString() } })),
    );
    return rows.length;
  }

  /**
   * The e-mail outbox: notifications of the types the catalog e-mails whose e-mail has not gone yet,
   * for confirmed addresses only, made after the confirmation (security.md: earlier ones stay in the app).
   */
  private async outbox(now: Date): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id
        WHERE n.emailed_at IS NULL AND n.type IN (${EMAILED_TYPES_SQL}) AND n.created_at > $1
          AND u.email_verified_at IS NOT NULL AND n.created_at >= u.email_verified_at`,
      [new Date(now.getTime() - OUTBOX_DAYS * DAY_MS)],
    );
    await this.jobs.addBulk(
      JobName.SendEmail,
      rows.map((row) => ({ payload: { notificationId: row.id } })),
    );
    return rows.length;
  }

  /** The items whose effect key is not in the ledger yet. */
  private async notDone<T>(items: T[], keyOf: (item: T) => string): Promise<T[]> {
    const done = new Set<string>();
    for (let i = 0; i < items.length; i += CHUNK) {
      const keys = items.slice(i, i + CHUNK).map(keyOf);
      const rows = await this.db.query<{ effect_key: string }>(
        `SELECT effect_key FROM lifecycle_effects WHERE effect_key IN (${keys.map((_, j) => `$${j + 1}`).join(', ')})`,
        keys,
      );
      for (const row of rows) done.add(row.effect_key);
    }
    return items.filter((item) => !done.has(keyOf(item)));
  }
}
