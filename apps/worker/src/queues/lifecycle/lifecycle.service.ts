import { Inject, Injectable } from '@nestjs/common';
import { CANARY_ALERT_WINDOW_MS, DAY_MS, JobName, type JobPayloads, effectKey, keyStatus, messageKey } from '@tradetally/contracts';
import { ApiKeysRepository, RecordsRepository } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import type { WorkerConfig } from '../../config.js';
import { WORKER_CONFIG } from '../../tokens.js';
import { EffectRunner, type LifecycleKey, effect, nothing, skip } from './effect-runner.js';

/** What the reminder rules need of a key. The window arithmetic is shared with the sweep, which finds what is due. */
export interface ExpiringKey {
  createdAt: Date;
  expiresAt: Date;
}

/**
 * The reminder windows (days before expiry) that are due for a key at `now`, most urgent first.
 * A window is due once it has opened (`expiresAt - window <= now`) and before expiry, and counts
 * only if the key was created before it opened: a key made to live 20 hours gets no "1 day left".
 */
export function dueWindows(key: ExpiringKey, now: Date, windows: number[]): number[] {
  const expires = key.expiresAt.getTime();
  if (expires <= now.getTime()) return [];
  return windows
    .filter((w) => {
      const opens = expires - w * DAY_MS;
      return opens <= now.getTime() && key.createdAt.getTime() < opens;
    })
    .sort((a, b) => a - b);
}

/** How many whole rotation ages a key has lived (0 = not yet due; off when the age is 0). */
export function rotationPeriod(createdAt: Date, now: Date, ageDays: number): number {
  if (ageDays <= 0) return 0;
  return Math.floor((now.getTime() - createdAt.getTime()) / (ageDays * DAY_MS));
}

/** Outcome of a job, kept as its return value (ids and words only, never a secret). */
export type Outcome = string;

const isActive = (key: LifecycleKey, now: Date) => keyStatus(key, now.getTime()) === 'active';

/**
 * The lifecycle rules (lifecycle.md), one method per job: each says when its effect is due and
 * what it writes. The EffectRunner makes each effect happen once; the message catalog
 * (@tradetally/contracts) turns each notification's data into words.
 */
@Injectable()
export class LifecycleService {
  constructor(
    @Inject(WORKER_CONFIG) private readonly config: Pick<WorkerConfig, 'REMINDER_DAYS' | 'ROTATION_AGE_DAYS' | 'UNUSED_DAYS'>,
    private readonly effects: EffectRunner,
    @Inject(ApiKeysRepository) private readonly keys: Pick<ApiKeysRepository, 'finishRotation'>,
    @Inject(RecordsRepository) private readonly records: Pick<RecordsRepository, 'latestNotificationOf' | 'recentEventsOf' | 'findNotificationByDedupeKey'>,
    @Inject(JobProducer) private readonly jobs: JobQueue,
  ) {}

  /** One reminder per key and window, only the most urgent of the windows due at once. */
  expiryReminder({ keyId, windowDays }: JobPayloads['expiry-reminder']): Promise<Outcome> {
    return this.effects.run(keyId, (key, now) => {
      if (!key?.expiresAt || !isActive(key, now)) return nothing('key no longer active');
      const due = dueWindows({ createdAt: key.createdAt, expiresAt: key.expiresAt }, now, this.config.REMINDER_DAYS);
      if (!due.includes(windowDays)) return nothing(`window ${windowDays} not due`);
      const [mostUrgent, ...lessUrgent] = due;
      const ledger = { key: effectKey.expiry(keyId, windowDays), kind: 'expiry' } as const;
      if (mostUrgent !== windowDays) return skip(ledger, `window ${windowDays} skipped for ${mostUrgent}`);
      return effect(key, {
        ledger,
        skipped: lessUrgent.map((older) => effectKey.expiry(keyId, older)),
        notification: { type: 'key_expiring', data: { key: messageKey(key), windowDays, expiresAt: key.expiresAt.toISOString() } },
        audit: { type: 'key.reminder_sent', details: { windowDays, expiresAt: key.expiresAt.toISOString(), skippedWindows: lessUrgent } },
        outcome: `reminder ${windowDays} sent`,
        alreadyDone: 'already sent',
      });
    });
  }

  /** The record of an expiry, once. */
  keyExpired({ keyId }: JobPayloads['key-expired']): Promise<Outcome> {
    return this.effects.run(keyId, (key, now) => {
      if (!key?.expiresAt || key.expiresAt > now) return nothing('not expired');
      const expiresAt = key.expiresAt.toISOString();
      return effect(key, {
        ledger: { key: effectKey.expired(keyId), kind: 'expired' },
        notification: { type: 'key_expired', data: { key: messageKey(key), expiresAt } },
        audit: { type: 'key.expired', details: { expiresAt } },
        outcome: 'expiry recorded',
        alreadyDone: 'already recorded',
      });
    });
  }

  /** One rotation reminder per rotation age period of an active, unrotated key. */
  rotationDue({ keyId, period }: JobPayloads['rotation-due']): Promise<Outcome> {
    return this.effects.run(keyId, (key, now) => {
      if (!key || !isActive(key, now) || key.rotatedToId) return nothing('key no longer active');
      if (rotationPeriod(key.createdAt, now, this.config.ROTATION_AGE_DAYS) < period) return nothing('not due yet');
      return effect(key, {
        ledger: { key: effectKey.rotationDue(keyId, period), kind: 'rotation-due' },
        notification: { type: 'key_rotation_due', data: { key: messageKey(key), ageDays: (now.getTime() - key.createdAt.getTime()) / DAY_MS } },
        outcome: `rotation reminder ${period} sent`,
        alreadyDone: 'already sent',
      });
    });
  }

  /** Revokes a rotated key's old half at its grace end; the conditional UPDATE makes it happen once. */
  finishRotation({ keyId }: JobPayloads['finish-rotation']): Promise<Outcome> {
    return this.effects.run(keyId, async (key, now, tx) => {
      if (!key?.graceEndsAt) return nothing('not a rotated key');
      if (key.revokedAt) return nothing('already revoked');
      if (key.graceEndsAt > now) throw new Error(`grace ends at ${key.graceEndsAt.toISOString()}; retrying later`);
      if (!(await this.keys.finishRotation(keyId, now, tx))) return nothing('already revoked');
      const graceEndedAt = key.graceEndsAt.toISOString();
      return effect(key, {
        ledger: { key: effectKey.rotationFinished(keyId), kind: 'rotation-finished' },
        notification: { type: 'key_rotation_finished', data: { key: messageKey(key), graceEndedAt } },
        audit: { type: 'key.revoked', details: { reason: 'rotated', graceEndedAt, rotatedToId: key.rotatedToId } },
        outcome: 'old key revoked',
        alreadyDone: 'already recorded',
      });
    });
  }

  /**
   * Alerts a canary key's owner: one notification (and e-mail) per key per 10 minutes, naming the
   * last use's time, address, client, method and path from the audit trail (the API writes an
   * event for every use). A window whose key was alerted less than 10 minutes ago is skipped.
   * Alerts of one key are decided one at a time (the key's row lock on PostgreSQL; SQLite
   * transactions are serial already), so "alerted less than 10 minutes ago" holds between
   * concurrent jobs.
   */
  canaryAlert({ keyId, window }: JobPayloads['canary-alert']): Promise<Outcome> {
    return this.effects.run(
      keyId,
      async (key, now, tx) => {
        if (!key?.canary) return nothing('not a canary key');
        const since = new Date(now.getTime() - CANARY_ALERT_WINDOW_MS);
        const ledger = { key: effectKey.canaryAlert(keyId, window), kind: 'canary-alert' } as const;
        if (await this.records.latestNotificationOf(keyId, 'key_canary_triggered', since, tx)) return skip(ledger, 'alerted less than 10 minutes ago');
        // Every use is in the audit trail (the API writes an event per use): how many, and where the last came from.
        const { count, latest } = await this.records.recentEventsOf(keyId, 'key.canary_triggered', since, tx);
        const seen = latest ? (JSON.parse(latest.details) as { ip?: string; userAgent?: string | null; method?: string; path?: string }) : {};
        return effect(key, {
          ledger,
          notification: {
            type: 'key_canary_triggered',
            data: {
              key: messageKey(key),
              uses: count,
              lastUseAt: (latest?.createdAt ?? now).toISOString(),
              ip: seen.ip ?? null,
              userAgent: seen.userAgent ?? null,
              method: seen.method ?? null,
              path: seen.path ?? null,
            },
          },
          outcome: 'canary alert sent',
          alreadyDone: 'already alerted',
        });
      },
      { lockKey: true },
    );
  }

  /** Suggests revoking a key unused for UNUSED_DAYS: once per period of disuse (a use starts a new one). */
  unusedKey({ keyId, since }: JobPayloads['unused-key']): Promise<Outcome> {
    return this.effects.run(keyId, (key, now) => {
      if (!key || key.canary || !isActive(key, now)) return nothing('key no longer active');
      const idleSince = key.lastUsedAt ?? key.createdAt;
      if (idleSince.getTime() !== Date.parse(since)) return nothing('used since');
      const idleMs = now.getTime() - idleSince.getTime();
      if (idleMs < this.config.UNUSED_DAYS * DAY_MS) return nothing('not idle long enough');
      return effect(key, {
        ledger: { key: effectKey.unused(keyId, idleSince), kind: 'unused' },
        notification: {
          type: 'key_unused',
          data: { key: messageKey(key), idleDays: idleMs / DAY_MS, lastUsedAt: key.lastUsedAt?.toISOString() ?? null },
        },
        outcome: 'unused reminder sent',
        alreadyDone: 'already sent',
      });
    });
  }

  /** E-mails the owner of a leaked key: the API wrote the notification when it revoked the key. */
  async leakFollowUp({ keyId }: JobPayloads['leak-follow-up']): Promise<Outcome> {
    const notification = await this.records.findNotificationByDedupeKey(effectKey.leak(keyId));
    if (!notification) return 'no leak notification';
    await this.jobs.add(JobName.SendEmail, { notificationId: notification.id });
    return 'e-mail enqueued';
  }
}
