import { Inject, Injectable } from '@nestjs/common';
import {
  type AuditEventType,
  CANARY_ALERT_WINDOW_MS,
  DAY_MS,
  type JobPayloads,
  type NotificationType,
  displayApiKey,
  effectKey,
  keyStatus,
} from '@tradetally/contracts';
import {
  ApiKeyEntity,
  AuditEventEntity,
  Db,
  type EntityManager,
  NotificationEntity,
  claimEffect,
  writeAuditEvent,
  writeNotification,
} from '@tradetally/database';
import type { WorkerConfig } from '../../config.js';
import { describeDays, dueWindows, rotationPeriod } from '../../lifecycle/rules.js';
import { DB, WORKER_CONFIG } from '../../tokens.js';
import { Enqueuer } from '../enqueuer.service.js';

/** Outcome of a job, kept as its return value (ids and words only, never a secret). */
export type Outcome = string;

const utc = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const isActive = (key: ApiKeyEntity, now: Date) => keyStatus(key, now.getTime()) === 'active';

/**
 * The effects of the lifecycle jobs. Each claims its effect key in lifecycle_effects inside the
 * transaction that writes its notification and audit event, so it happens once, whatever runs it
 * twice. E-mails leave through the notification outbox (emailed_at), not from here.
 */
@Injectable()
export class LifecycleService {
  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(DB) private readonly db: Db,
    private readonly enqueuer: Enqueuer,
  ) {}

  async expiryReminder({ keyId, windowDays }: JobPayloads['expiry-reminder']): Promise<Outcome> {
    const result = await this.db.transaction(async (manager) => {
      const key = await manager.findOneBy(ApiKeyEntity, { id: keyId });
      const now = new Date();
      if (!key?.expiresAt || !isActive(key, now)) return { outcome: 'key no longer active' };
      const due = dueWindows({ createdAt: key.createdAt, expiresAt: key.expiresAt }, now, this.config.REMINDER_DAYS);
      if (!due.includes(windowDays)) return { outcome: `window ${windowDays} not due` };
      const mostUrgent = due[0] as number;
      if (mostUrgent !== windowDays) {
        await claimEffect(this.db, manager, { key: effectKey.expiry(keyId, windowDays), apiKeyId: keyId, kind: 'expiry', status: 'skipped' });
        return { outcome: `window ${windowDays} skipped for ${mostUrgent}` };
      }
      if (!(await claimEffect(this.db, manager, { key: effectKey.expiry(keyId, windowDays), apiKeyId: keyId, kind: 'expiry' }))) {
        return { outcome: 'already sent' };
      }
      // Windows that came due together with this one are recorded as skipped: only the most urgent is sent.
      for (const older of due.slice(1)) {
        await claimEffect(this.db, manager, { key: effectKey.expiry(keyId, older), apiKeyId: keyId, kind: 'expiry', status: 'skipped' });
      }
      const left = describeDays(windowDays);
      const notificationId = await this.notify(
        manager,
        key,
        'key_expiring',
        `API key "${key.name}" expires in ${left}`,
        `Your ${key.scope} ${key.environment} key "${key.name}" (${displayApiKey(key)}) expires on ${utc(key.expiresAt)}. ` +
          'Rotate it or create a replacement before then so your integration keeps working.',
        effectKey.expiry(keyId, windowDays),
        now,
      );
      await this.audit(
        manager,
        key,
        'key.reminder_sent',
        { windowDays, expiresAt: key.expiresAt.toISOString(), skippedWindows: due.slice(1) },
        effectKey.expiry(keyId, windowDays),
        now,
      );
      return { outcome: `reminder ${windowDays} sent`, notificationId };
    });
    if (result.notificationId) await this.enqueuer.emails([{ payload: { notificationId: result.notificationId } }]);
    return result.outcome;
  }

  async keyExpired({ keyId }: JobPayloads['key-expired']): Promise<Outcome> {
    return this.db.transaction(async (manager) => {
      const key = await manager.findOneBy(ApiKeyEntity, { id: keyId });
      const now = new Date();
      if (!key?.expiresAt || key.expiresAt > now) return 'not expired';
      if (!(await claimEffect(this.db, manager, { key: effectKey.expired(keyId), apiKeyId: keyId, kind: 'expired' }))) return 'already recorded';
      await this.notify(
        manager,
        key,
        'key_expired',
        `API key "${key.name}" has expired`,
        `Your ${key.scope} ${key.environment} key "${key.name}" (${displayApiKey(key)}) expired on ${utc(key.expiresAt)}; ` +
          'requests with it now get 401 api_key_expired. Create a new key in your API key settings.',
        effectKey.expired(keyId),
        now,
      );
      await this.audit(manager, key, 'key.expired', { expiresAt: key.expiresAt.toISOString() }, effectKey.expired(keyId), now);
      return 'expiry recorded';
    });
  }

  async rotationDue({ keyId, period }: JobPayloads['rotation-due']): Promise<Outcome> {
    return this.db.transaction(async (manager) => {
      const key = await manager.findOneBy(ApiKeyEntity, { id: keyId });
      const now = new Date();
      if (!key || !isActive(key, now) || key.rotatedToId) return 'key no longer active';
      if (rotationPeriod(key.createdAt, now, this.config.ROTATION_AGE_DAYS) < period) return 'not due yet';
      if (!(await claimEffect(this.db, manager, { key: effectKey.rotationDue(keyId, period), apiKeyId: keyId, kind: 'rotation-due' }))) return 'already sent';
      const age = describeDays((now.getTime() - key.createdAt.getTime()) / DAY_MS);
      await this.notify(
        manager,
        key,
        'key_rotation_due',
        `API key "${key.name}" is due for rotation`,
        `Your ${key.scope} ${key.environment} key "${key.name}" (${displayApiKey(key)}) is ${age} old. Rotating keys regularly ` +
          'limits what an unnoticed leak can do: rotate it with a grace period so your integration can switch over.',
        effectKey.rotationDue(keyId, period),
        now,
      );
      return `rotation reminder ${period} sent`;
    });
  }

  /** Revokes a rotated key's old half at its grace end; the conditional UPDATE makes it happen once. */
  async finishRotation({ keyId }: JobPayloads['finish-rotation']): Promise<Outcome> {
    return this.db.transaction(async (manager) => {
      const key = await manager.findOneBy(ApiKeyEntity, { id: keyId });
      const now = new Date();
      if (!key?.graceEndsAt) return 'not a rotated key';
      if (key.revokedAt) return 'already revoked';
      if (key.graceEndsAt > now) throw new Error(`grace ends at ${key.graceEndsAt.toISOString()}; retrying later`);
      const result = await manager
        .createQueryBuilder()
        .update(ApiKeyEntity)
        .set({ revokedAt: key.graceEndsAt, revokeReason: 'rotated' })
        .where('id = :id AND revoked_at IS NULL AND grace_ends_at <= :now', { id: keyId, now })
        .execute();
      if (Db.affected(result) !== 1) return 'already revoked';
      if (!(await claimEffect(this.db, manager, { key: effectKey.rotationFinished(keyId), apiKeyId: keyId, kind: 'rotation-finished' })))
        return 'already recorded';
      await this.audit(
        manager,
        key,
        'key.revoked',
        { reason: 'rotated', graceEndedAt: key.graceEndsAt.toISOString(), rotatedToId: key.rotatedToId },
        effectKey.rotationFinished(keyId),
        now,
      );
      await this.notify(
        manager,
        key,
        'key_rotation_finished',
        `Rotation of API key "${key.name}" is complete`,
        `The grace period of your old key "${key.name}" (${displayApiKey(key)}) ended on ${utc(key.graceEndsAt)} and it is now revoked. ` +
          'Only its replacement works from here on.',
        effectKey.rotationFinished(keyId),
        now,
      );
      return 'old key revoked';
    });
  }

  /**
   * Alerts a canary key's owner: one notification (and e-mail) per key per 10 minutes, naming the
   * last use's time, address, client, method and path from the audit trail (the API writes an
   * event for every use). A window whose key was alerted less than 10 minutes ago is skipped.
   */
  async canaryAlert({ keyId, window }: JobPayloads['canary-alert']): Promise<Outcome> {
    const result = await this.db.transaction(async (manager) => {
      // Alerts of one key are decided one at a time: on PostgreSQL the key's row lock serialises
      // concurrent jobs (SQLite transactions are serial already), so "alerted < 10 min ago" holds.
      if (this.db.kind === 'postgres') await this.db.query('SELECT id FROM api_keys WHERE id = $1 FOR UPDATE', [keyId], manager);
      const key = await manager.findOneBy(ApiKeyEntity, { id: keyId });
      if (!key?.canary) return { outcome: 'not a canary key' };
      const now = new Date();
      const [recent] = await this.db.query<{ created_at: unknown }>(
        "SELECT created_at FROM notifications WHERE api_key_id = $1 AND type = 'key_canary_triggered' AND created_at > $2 ORDER BY created_at DESC LIMIT 1",
        [keyId, new Date(now.getTime() - CANARY_ALERT_WINDOW_MS)],
        manager,
      );
      if (recent) {
        await claimEffect(this.db, manager, { key: effectKey.canaryAlert(keyId, window), apiKeyId: keyId, kind: 'canary-alert', status: 'skipped' });
        return { outcome: 'alerted less than 10 minutes ago' };
      }
      if (!(await claimEffect(this.db, manager, { key: effectKey.canaryAlert(keyId, window), apiKeyId: keyId, kind: 'canary-alert' })))
        return { outcome: 'already alerted' };
      const uses = await manager.find(AuditEventEntity, { where: { apiKeyId: keyId, type: 'key.canary_triggered' }, order: { createdAt: 'DESC' }, take: 1 });
      const last = uses[0];
      const seen = last ? (JSON.parse(last.details) as { ip?: string; userAgent?: string | null; method?: string; path?: string }) : {};
      const [{ n } = { n: 0 }] = await this.db.query<{ n: unknown }>(
        "SELECT COUNT(*) AS n FROM audit_events WHERE api_key_id = $1 AND type = 'key.canary_triggered' AND created_at > $2",
        [keyId, new Date(now.getTime() - CANARY_ALERT_WINDOW_MS)],
        manager,
      );
      const notificationId = await this.notify(
        manager,
        key,
        'key_canary_triggered',
        `Decoy key "${key.name}" was used: someone has found where you planted it`,
        `Your canary key "${key.name}" (${displayApiKey(key)}) was used ${Number(n)} time(s) in the last 10 minutes; the last use was at ` +
          `${last ? utc(last.createdAt) : utc(now)} from address ${seen.ip ?? 'unknown'}, client "${seen.userAgent ?? 'unknown'}", ${seen.method ?? '?'} ${seen.path ?? '?'}. ` +
          'It granted nothing. Whoever used it has read the place you planted it: check that place and rotate the real keys kept near it.',
        effectKey.canaryAlert(keyId, window),
        now,
      );
      return { outcome: 'canary alert sent', notificationId };
    });
    if (result.notificationId) await this.enqueuer.emails([{ payload: { notificationId: result.notificationId } }]);
    return result.outcome;
  }

  /** Suggests revoking a key unused for UNUSED_DAYS: once per period of disuse (a use starts a new one). */
  async unusedKey({ keyId, since }: JobPayloads['unused-key']): Promise<Outcome> {
    const result = await this.db.transaction(async (manager) => {
      const key = await manager.findOneBy(ApiKeyEntity, { id: keyId });
      const now = new Date();
      if (!key || key.canary || !isActive(key, now)) return { outcome: 'key no longer active' };
      const idleSince = key.lastUsedAt ?? key.createdAt;
      if (idleSince.getTime() !== Date.parse(since)) return { outcome: 'used since' };
      if (now.getTime() - idleSince.getTime() < this.config.UNUSED_DAYS * DAY_MS) return { outcome: 'not idle long enough' };
      if (!(await claimEffect(this.db, manager, { key: effectKey.unused(keyId, idleSince), apiKeyId: keyId, kind: 'unused' })))
        return { outcome: 'already sent' };
      const idle = describeDays((now.getTime() - idleSince.getTime()) / DAY_MS);
      const notificationId = await this.notify(
        manager,
        key,
        'key_unused',
        `API key "${key.name}" has not been used for ${idle}`,
        `Your ${key.scope} ${key.environment} key "${key.name}" (${displayApiKey(key)}) has not been used for ${idle} ` +
          `(${key.lastUsedAt ? `last used ${utc(key.lastUsedAt)}` : 'never used'}). The safest key is one that does not exist: if nothing needs it, revoke it.`,
        effectKey.unused(keyId, idleSince),
        now,
      );
      return { outcome: 'unused reminder sent', notificationId };
    });
    if (result.notificationId) await this.enqueuer.emails([{ payload: { notificationId: result.notificationId } }]);
    return result.outcome;
  }

  /** Makes sure the owner of a leaked key is told; the API writes the notification, this e-mails it. */
  async leakFollowUp({ keyId }: JobPayloads['leak-follow-up']): Promise<Outcome> {
    const notification = await this.db.manager.findOneBy(NotificationEntity, { dedupeKey: effectKey.leak(keyId) });
    if (!notification) return 'no leak notification';
    await this.enqueuer.emails([{ payload: { notificationId: notification.id } }]);
    return 'e-mail enqueued';
  }

  private notify(manager: EntityManager, key: ApiKeyEntity, type: NotificationType, title: string, body: string, dedupeKey: string, at: Date): Promise<string> {
    return writeNotification(manager, { userId: key.userId, apiKeyId: key.id, type, title, body, dedupeKey }, at);
  }

  private async audit(
    manager: EntityManager,
    key: ApiKeyEntity,
    type: AuditEventType,
    details: Record<string, unknown>,
    dedupeKey: string,
    at: Date,
  ): Promise<void> {
    await writeAuditEvent(manager, { userId: key.userId, apiKeyId: key.id, type, actor: 'system', details, dedupeKey }, at);
  }
}
