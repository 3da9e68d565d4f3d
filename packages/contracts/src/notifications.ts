import { z } from 'zod';
import { IdSchema, PageQuerySchema, TimestampSchema, pageSchema } from './common.js';

/** What a notification is about. */
export const NotificationTypeSchema = z.enum([
  'key_expiring',
  'key_expired',
  'key_rotation_due',
  'key_leaked',
  'key_rotation_finished',
  'key_self_rotated',
  'key_canary_triggered',
  'key_unused',
]);

/** What a notification is about. */
export type NotificationType = z.infer<typeof NotificationTypeSchema>;

/** A message to a user, read by the settings page and the extension. */
export const NotificationSchema = z.object({
  id: IdSchema,
  type: NotificationTypeSchema,
  apiKeyId: IdSchema.nullable(),
  title: z.string(),
  body: z.string(),
  createdAt: TimestampSchema,
  readAt: TimestampSchema.nullable(),
});

/** A message to a user. */
export type Notification = z.infer<typeof NotificationSchema>;

/** Query of `GET /v1/notifications`. */
export const ListNotificationsQuerySchema = PageQuerySchema.extend({
  unread: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

/** Query of `GET /v1/notifications`. */
export type ListNotificationsQuery = z.infer<typeof ListNotificationsQuerySchema>;

/** Answer of `GET /v1/notifications`. */
export const NotificationPageSchema = pageSchema(NotificationSchema);

/** What an audit event records. */
export const AuditEventTypeSchema = z.enum([
  'key.created',
  'key.revoked',
  'key.rotated',
  'key.expired',
  'key.leak_reported',
  'key.reminder_sent',
  'key.canary_triggered',
  'key.updated',
]);

/** What an audit event records. */
export type AuditEventType = z.infer<typeof AuditEventTypeSchema>;

/** Who caused an audit event. */
export const AuditActorSchema = z.enum(['user', 'system', 'leak_report', 'api_key']);

/** Who caused an audit event. */
export type AuditActor = z.infer<typeof AuditActorSchema>;

/** A record of something that happened to a key. `details` never holds a secret. */
export const AuditEventSchema = z.object({
  id: IdSchema,
  type: AuditEventTypeSchema,
  apiKeyId: IdSchema.nullable(),
  actor: AuditActorSchema,
  createdAt: TimestampSchema,
  details: z.record(z.string(), z.unknown()),
});

/** A record of something that happened to a key. */
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/** Query of `GET /v1/audit-events`. */
export const ListAuditEventsQuerySchema = PageQuerySchema.extend({ apiKeyId: IdSchema.optional() });

/** Query of `GET /v1/audit-events`. */
export type ListAuditEventsQuery = z.infer<typeof ListAuditEventsQuerySchema>;

/** Answer of `GET /v1/audit-events`. */
export const AuditEventPageSchema = pageSchema(AuditEventSchema);
