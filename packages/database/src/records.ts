import { randomUUID } from 'node:crypto';
import { type AuditActor, type AuditEventType, redactApiKeys } from '@tradetally/contracts';
import type { EntityManager } from 'typeorm';
import { AuditEventEntity } from './entities/audit-event.entity.js';
import { NotificationEntity } from './entities/notification.entity.js';
import { type NewNotification, notificationText } from './repositories/records.repository.js';

export type { NewNotification };

/**
 * The one writer of notifications and audit events, for the API and the worker alike, always
 * inside the caller's transaction (the change and its record commit together).
 */

/** An audit event to write. `details` must never hold a secret; every string is scrubbed of keys anyway. */
export interface NewAuditEvent {
  userId: string;
  apiKeyId: string | null;
  type: AuditEventType;
  actor: AuditActor;
  details?: Record<string, unknown>;
  /** Makes a repeated effect a no-op (unique index). */
  dedupeKey?: string;
}

/** Writes one audit event with `manager` and returns its id. */
export async function writeAuditEvent(manager: EntityManager, event: NewAuditEvent, at = new Date()): Promise<string> {
  const id = randomUUID();
  await manager.insert(AuditEventEntity, {
    id,
    userId: event.userId,
    apiKeyId: event.apiKeyId,
    type: event.type,
    actor: event.actor,
    details: redactApiKeys(JSON.stringify(event.details ?? {})),
    createdAt: at,
    dedupeKey: event.dedupeKey ?? null,
  });
  return id;
}

/**
 * Writes one notification with `manager` and returns its id: RecordsRepository.notify for the code
 * that does not take repositories yet (the same row: the catalog's words and the data).
 */
export async function writeNotification(manager: EntityManager, notification: NewNotification, at = new Date()): Promise<string> {
  const id = randomUUID();
  await manager.insert(NotificationEntity, {
    id,
    userId: notification.userId,
    apiKeyId: notification.apiKeyId,
    type: notification.type,
    ...notificationText(notification),
    createdAt: at,
    readAt: null,
    emailedAt: null,
    dedupeKey: notification.dedupeKey ?? null,
  });
  return id;
}

/**
 * The SQL form of `keyStatus(…) === 'active'` (@tradetally/contracts), for a table alias and the
 * placeholder that holds "now" (`$1` for raw queries, `:now` for query builders).
 */
export function activeKeySql(alias: string, now: string): string {
  const a = alias ? `${alias}.` : '';
  return `${a}revoked_at IS NULL AND (${a}grace_ends_at IS NULL OR ${a}grace_ends_at > ${now}) AND (${a}expires_at IS NULL OR ${a}expires_at > ${now})`;
}
