import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DAY_MS, EMAIL_TOKEN_TTL_MS, effectKey } from '@tradetally/contracts';
import { type Db, activeKeySql } from '@tradetally/database';
import { CronJob } from 'cron';
import type { WorkerConfig } from '../config.js';
import { dueWindows, rotationPeriod } from '../lifecycle/rules.js';
import { Enqueuer } from '../queues/enqueuer.service.js';
import { DB, WORKER_CONFIG } from '../tokens.js';

/** Notifications whose e-mail is older than this are not retried by the outbox any more. */
const OUTBOX_DAYS = 7;
const CHUNK = 500;

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
    private readonly enqueuer: Enqueuer,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({ cronTime: this.config.SWEEP_CRON, onTick: () => void this.sweepSafely(), start: true });
    this.scheduler.addCronJob('sweep', job);
    void this.sweepSafely();
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
    const finishRotations = await this.finishRotations(now);
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
    return this.enqueuer.expiryReminders(fresh.map((payload) => ({ payload })));
  }

  private async expired(now: Date): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM api_keys k
        WHERE expires_at <= $1 AND revoked_at IS NULL AND (grace_ends_at IS NULL OR grace_ends_at > expires_at)
          AND NOT EXISTS (SELECT 1 FROM lifecycle_effects e WHERE e.api_key_id = k.id AND e.kind = 'expired')`,
      [now],
    );
    return this.enqueuer.keysExpired(rows.map((row) => ({ payload: { keyId: row.id } })));
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
    return this.enqueuer.rotationsDue(fresh.map((payload) => ({ payload })));
  }

  /** Re-creates the API's delayed finish-rotation jobs; one Redis lost fires late, never not at all. */
  private async finishRotations(now: Date): Promise<number> {
    const rows = await this.db.query<{ id: string; grace_ends_at: unknown }>(
      'SELECT id, grace_ends_at FROM api_keys WHERE revoked_at IS NULL AND grace_ends_at IS NOT NULL',
      [],
    );
    return this.enqueuer.finishRotations(
      rows.map((row) => ({ payload: { keyId: row.id }, delay: Math.max(0, (this.db.date(row.grace_ends_at) as Date).getTime() - now.getTime()) })),
    );
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
    return this.enqueuer.unusedKeys(fresh.map((d) => ({ payload: { keyId: d.keyId, since: d.since.toISOString() } })));
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
    return this.enqueuer.confirmations(rows.map((row) => ({ payload: { userId: row.id, requestedAt: (this.db.date(row.created_at) as Date).toISOString() } })));
  }

  /**
   * The e-mail outbox: reminder and leak notifications whose e-mail has not gone yet, for confirmed
   * addresses only, made after the confirmation (security.md: earlier ones stay in the app).
   */
  private async outbox(now: Date): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id
        WHERE n.emailed_at IS NULL AND n.type IN ('key_expiring', 'key_leaked', 'key_self_rotated', 'key_canary_triggered', 'key_unused') AND n.created_at > $1
          AND u.email_verified_at IS NOT NULL AND n.created_at >= u.email_verified_at`,
      [new Date(now.getTime() - OUTBOX_DAYS * DAY_MS)],
    );
    return this.enqueuer.emails(rows.map((row) => ({ payload: { notificationId: row.id } })));
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
