import { Inject, Injectable } from '@nestjs/common';
import type { NotificationType } from '@tradetally/contracts';
import {
  ApiKeyEntity,
  AuditEventEntity,
  Db,
  type EntityManager,
  type NewAuditEvent,
  type NewNotification,
  NotificationEntity,
  claimEffect,
  writeAuditEvent,
  writeNotification,
} from '@tradetally/database';
import { DB } from '../../tokens.js';
import type { CanaryUse, LedgerEntry, LifecycleKey, LifecycleStore, LifecycleTx } from './effect-runner.js';

/** The lifecycle's data on the database (SQLite or PostgreSQL). */
@Injectable()
export class DbLifecycleStore implements LifecycleStore {
  constructor(@Inject(DB) private readonly db: Db) {}

  transaction<T>(work: (tx: LifecycleTx) => Promise<T>): Promise<T> {
    return this.db.transaction((manager) => work(new DbLifecycleTx(this.db, manager)));
  }

  async notificationId(dedupeKey: string): Promise<string | null> {
    const notification = await this.db.manager.findOneBy(NotificationEntity, { dedupeKey });
    return notification?.id ?? null;
  }
}

/** One transaction's reads and writes. */
class DbLifecycleTx implements LifecycleTx {
  constructor(
    private readonly db: Db,
    private readonly manager: EntityManager,
  ) {}

  async findKey(keyId: string, options: { lock?: boolean } = {}): Promise<LifecycleKey | null> {
    // On PostgreSQL the key's row lock serialises the transactions that ask for it; SQLite
    // transactions are serial already.
    if (options.lock && this.db.kind === 'postgres') await this.db.query('SELECT id FROM api_keys WHERE id = $1 FOR UPDATE', [keyId], this.manager);
    return this.manager.findOneBy(ApiKeyEntity, { id: keyId });
  }

  claim(entry: LedgerEntry & { apiKeyId: string; status?: 'done' | 'skipped' }): Promise<boolean> {
    return claimEffect(this.db, this.manager, entry);
  }

  async revokeAtGraceEnd(key: LifecycleKey, now: Date): Promise<boolean> {
    const result = await this.manager
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ revokedAt: key.graceEndsAt, revokeReason: 'rotated' })
      .where('id = :id AND revoked_at IS NULL AND grace_ends_at <= :now', { id: key.id, now })
      .execute();
    return Db.affected(result) === 1;
  }

  async lastNotificationSince(keyId: string, type: NotificationType, since: Date): Promise<Date | null> {
    const [recent] = await this.db.query<{ created_at: unknown }>(
      'SELECT created_at FROM notifications WHERE api_key_id = $1 AND type = $2 AND created_at > $3 ORDER BY created_at DESC LIMIT 1',
      [keyId, type, since],
      this.manager,
    );
    return recent ? this.db.date(recent.created_at) : null;
  }

  async canaryUses(keyId: string, since: Date): Promise<{ count: number; last: CanaryUse | null }> {
    const [last] = await this.manager.find(AuditEventEntity, {
      where: { apiKeyId: keyId, type: 'key.canary_triggered' },
      order: { createdAt: 'DESC' },
      take: 1,
    });
    const [{ n } = { n: 0 }] = await this.db.query<{ n: unknown }>(
      "SELECT COUNT(*) AS n FROM audit_events WHERE api_key_id = $1 AND type = 'key.canary_triggered' AND created_at > $2",
      [keyId, since],
      this.manager,
    );
    return { count: Number(n), last: last ? { at: last.createdAt, ...(JSON.parse(last.details) as Omit<CanaryUse, 'at'>) } : null };
  }

  writeNotification(notification: NewNotification, at: Date): Promise<string> {
    return writeNotification(this.manager, notification, at);
  }

  writeAuditEvent(event: NewAuditEvent, at: Date): Promise<string> {
    return writeAuditEvent(this.manager, event, at);
  }
}
