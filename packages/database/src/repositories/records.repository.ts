import { randomUUID } from 'node:crypto';
import {
  type AuditActor,
  type AuditEventType,
  type NotificationMessage,
  type NotificationType,
  redactApiKeys,
  renderNotification,
} from '@tradetally/contracts';
import type { Db, SqlParam } from '../db.js';
import { type Cursor, type Row, type Tx, changed, insertRow, num, pageClause, text } from './sql.js';

/** A notification as stored. */
export interface NotificationRecord {
  id: string;
  userId: string;
  apiKeyId: string | null;
  type: NotificationType;
  title: string;
  body: string;
  /** The type's data as JSON (the message catalog renders title, body and e-mail from it); null on rows written before it was kept. */
  data: string | null;
  createdAt: Date;
  readAt: Date | null;
  emailedAt: Date | null;
  dedupeKey: string | null;
}

/** An audit event as stored; `details` is JSON text, scrubbed of keys. */
export interface AuditEventRecord {
  id: string;
  userId: string;
  apiKeyId: string | null;
  type: AuditEventType;
  actor: AuditActor;
  details: string;
  createdAt: Date;
  dedupeKey: string | null;
}

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

/**
 * A notification to write: its type and that type's data (the message catalog of
 * @tradetally/contracts makes its words); `dedupeKey` makes a repeated effect a no-op (unique index).
 */
export type NewNotification = NotificationMessage & {
  userId: string;
  apiKeyId: string | null;
  dedupeKey?: string;
};

/**
 * The stored text of a notification: the app's title and body rendered by the catalog, and the
 * data the e-mail quotes its own way; all three scrubbed of anything key-shaped.
 */
export function notificationText(notification: NotificationMessage): { title: string; body: string; data: string } {
  const { title, body } = renderNotification(notification);
  return { title: redactApiKeys(title), body: redactApiKeys(body), data: redactApiKeys(JSON.stringify(notification.data)) };
}

/** What an e-mail of a notification is made from: the notification, its addressee and its key. */
export interface NotificationEmailView {
  id: string;
  type: NotificationType;
  body: string;
  data: string | null;
  createdAt: Date;
  emailedAt: Date | null;
  email: string;
  emailVerifiedAt: Date | null;
  key: { name: string; prefix: string; last4: string; scope: string; environment: string; expiresAt: Date | null } | null;
}

const NOTIFICATION_SELECT = 'SELECT id, user_id, api_key_id, type, title, body, data, created_at, read_at, emailed_at, dedupe_key FROM notifications';
const AUDIT_SELECT = 'SELECT id, user_id, api_key_id, type, actor, details, created_at, dedupe_key FROM audit_events';

/**
 * The `notifications` and `audit_events` tables: the one writer of both, for the API and the worker
 * alike, always inside the caller's transaction (the change and its record commit together), with
 * every key scrubbed from what is written.
 */
export class RecordsRepository {
  constructor(private readonly db: Db) {}

  private notification = (row: Row): NotificationRecord => ({
    id: String(row.id),
    userId: String(row.user_id),
    apiKeyId: text(row.api_key_id),
    type: row.type as NotificationType,
    title: String(row.title),
    body: String(row.body),
    data: text(row.data),
    createdAt: this.db.date(row.created_at) ?? new Date(0),
    readAt: this.db.date(row.read_at),
    emailedAt: this.db.date(row.emailed_at),
    dedupeKey: text(row.dedupe_key),
  });

  private auditEvent = (row: Row): AuditEventRecord => ({
    id: String(row.id),
    userId: String(row.user_id),
    apiKeyId: text(row.api_key_id),
    type: row.type as AuditEventType,
    actor: row.actor as AuditActor,
    details: String(row.details),
    createdAt: this.db.date(row.created_at) ?? new Date(0),
    dedupeKey: text(row.dedupe_key),
  });

  /** Writes one audit event in `tx` and returns its id. */
  async audit(tx: Tx, event: NewAuditEvent, at = new Date()): Promise<string> {
    const id = randomUUID();
    await insertRow(
      this.db,
      'audit_events',
      {
        id,
        user_id: event.userId,
        api_key_id: event.apiKeyId,
        type: event.type,
        actor: event.actor,
        details: redactApiKeys(JSON.stringify(event.details ?? {})),
        created_at: at,
        dedupe_key: event.dedupeKey ?? null,
      },
      tx,
    );
    return id;
  }

  /** Writes one notification in `tx` and returns its id (notificationText: the catalog's words, scrubbed of keys). */
  async notify(tx: Tx, notification: NewNotification, at = new Date()): Promise<string> {
    const id = randomUUID();
    const { title, body, data } = notificationText(notification);
    await insertRow(
      this.db,
      'notifications',
      {
        id,
        user_id: notification.userId,
        api_key_id: notification.apiKeyId,
        type: notification.type,
        title,
        body,
        data,
        created_at: at,
        read_at: null,
        emailed_at: null,
        dedupe_key: notification.dedupeKey ?? null,
      },
      tx,
    );
    return id;
  }

  /** A page of a user's notifications, newest first (`limit + 1` rows). */
  async notificationsPage(userId: string, filter: { unread?: boolean; cursor: Cursor | null; limit: number }): Promise<NotificationRecord[]> {
    const params: SqlParam[] = [userId];
    let where = 'user_id = $1';
    if (filter.unread === true) where += ' AND read_at IS NULL';
    if (filter.unread === false) where += ' AND read_at IS NOT NULL';
    const page = pageClause('created_at', filter.cursor, filter.limit, params);
    return (await this.db.query(`${NOTIFICATION_SELECT} WHERE ${where}${page.where}${page.tail}`, params)).map(this.notification);
  }

  async findNotification(userId: string, id: string): Promise<NotificationRecord | null> {
    const [row] = await this.db.query(`${NOTIFICATION_SELECT} WHERE id = $1 AND user_id = $2`, [id, userId]);
    return row ? this.notification(row) : null;
  }

  async findNotificationByDedupeKey(dedupeKey: string): Promise<NotificationRecord | null> {
    const [row] = await this.db.query(`${NOTIFICATION_SELECT} WHERE dedupe_key = $1`, [dedupeKey]);
    return row ? this.notification(row) : null;
  }

  /** Marks a user's notification read; the first read time is kept. */
  async markRead(userId: string, id: string, at: Date): Promise<void> {
    await changed(this.db, 'UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL', [at, id, userId]);
  }

  /** The newest notification of `type` about a key since `since`, if any. */
  async latestNotificationOf(apiKeyId: string, type: NotificationType, since: Date, tx?: Tx): Promise<NotificationRecord | null> {
    const [row] = await this.db.query(
      `${NOTIFICATION_SELECT} WHERE api_key_id = $1 AND type = $2 AND created_at > $3 ORDER BY created_at DESC LIMIT 1`,
      [apiKeyId, type, since],
      tx,
    );
    return row ? this.notification(row) : null;
  }

  /** What an e-mail of a notification needs; null when the notification is gone. */
  async emailView(notificationId: string): Promise<NotificationEmailView | null> {
    const [row] = await this.db.query(
      `SELECT n.id, n.type, n.body, n.data, n.created_at, n.emailed_at, u.email, u.email_verified_at, k.name, k.prefix, k.last4, k.scope, k.environment, k.expires_at
         FROM notifications n JOIN users u ON u.id = n.user_id LEFT JOIN api_keys k ON k.id = n.api_key_id
        WHERE n.id = $1`,
      [notificationId],
    );
    if (!row) return null;
    const key =
      row.name && row.prefix && row.last4 && row.scope && row.environment
        ? {
            name: String(row.name),
            prefix: String(row.prefix),
            last4: String(row.last4),
            scope: String(row.scope),
            environment: String(row.environment),
            expiresAt: this.db.date(row.expires_at),
          }
        : null;
    return {
      id: String(row.id),
      type: row.type as NotificationType,
      body: String(row.body),
      data: text(row.data),
      createdAt: this.db.date(row.created_at) ?? new Date(0),
      emailedAt: this.db.date(row.emailed_at),
      email: String(row.email),
      emailVerifiedAt: this.db.date(row.email_verified_at),
      key,
    };
  }

  /** Records that a notification's e-mail went (once). */
  async markEmailed(id: string, at: Date): Promise<void> {
    await changed(this.db, 'UPDATE notifications SET emailed_at = $1 WHERE id = $2 AND emailed_at IS NULL', [at, id]);
  }

  /**
   * The e-mail outbox: notifications of `types` made since `since` whose e-mail has not gone, for
   * confirmed addresses only, made after the confirmation (earlier ones stay in the app).
   */
  async unsent(types: readonly NotificationType[], since: Date): Promise<string[]> {
    const rows = await this.db.query(
      `SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id
        WHERE n.emailed_at IS NULL AND n.type IN (${types.map((_, i) => `$${i + 2}`).join(', ')}) AND n.created_at > $1
          AND u.email_verified_at IS NOT NULL AND n.created_at >= u.email_verified_at`,
      [since, ...types],
    );
    return rows.map((row) => String(row.id));
  }

  /** A page of a user's audit events, newest first (`limit + 1` rows), of one key when asked. */
  async auditPage(userId: string, filter: { apiKeyId?: string; cursor: Cursor | null; limit: number }): Promise<AuditEventRecord[]> {
    const params: SqlParam[] = [userId];
    let where = 'user_id = $1';
    if (filter.apiKeyId) where += ` AND api_key_id = $${params.push(filter.apiKeyId)}`;
    const page = pageClause('created_at', filter.cursor, filter.limit, params);
    return (await this.db.query(`${AUDIT_SELECT} WHERE ${where}${page.where}${page.tail}`, params)).map(this.auditEvent);
  }

  /** A key's events of `type` since `since`: how many, and the newest. */
  async recentEventsOf(apiKeyId: string, type: AuditEventType, since: Date, tx?: Tx): Promise<{ count: number; latest: AuditEventRecord | null }> {
    const [latest] = await this.db.query(`${AUDIT_SELECT} WHERE api_key_id = $1 AND type = $2 ORDER BY created_at DESC LIMIT 1`, [apiKeyId, type], tx);
    const [counted] = await this.db.query(
      'SELECT COUNT(*) AS n FROM audit_events WHERE api_key_id = $1 AND type = $2 AND created_at > $3',
      [apiKeyId, type, since],
      tx,
    );
    return { count: num(counted?.n), latest: latest ? this.auditEvent(latest) : null };
  }
}
