import { z } from 'zod';
import { IdSchema } from './common.js';
import { HOUR_MS } from './time.js';

/**
 * Options of every job, wherever it is added (the API's producer and the worker's sweep): retries
 * with backoff, completed jobs kept a day (their ids stop a duplicate add meanwhile), failures a week.
 */
export const JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 86_400, count: 5000 },
  removeOnFail: { age: 7 * 86_400 },
} as const;

/**
 * The ledger keys (lifecycle_effects) and notification dedupe keys of effects that must happen
 * once. Written by the worker's jobs and, for leaks, by the API's report; read by both.
 */
export const effectKey = {
  /** One reminder per key and window. */
  expiry: (keyId: string, windowDays: number) => `expiry-${keyId}-${windowDays}`,
  /** The expiry record of a key. */
  expired: (keyId: string) => `expired-${keyId}`,
  /** One rotation reminder per key and rotation age period. */
  rotationDue: (keyId: string, period: number) => `rotation-due-${keyId}-${period}`,
  /** The revocation that ends a rotation's grace. */
  rotationFinished: (keyId: string) => `rotation-finished-${keyId}`,
  /** One per period of disuse, which starts at the key's last use (or its creation). */
  unused: (keyId: string, since: Date) => `unused-${keyId}-${since.getTime()}`,
  /** One per canary key and 10-minute window. */
  canaryAlert: (keyId: string, window: number) => `canary-${keyId}-${window}`,
  /** The leak notification of a key (written by the API's report, e-mailed by the worker's follow-up). */
  leak: (keyId: string) => `leak-${keyId}`,
  /** The notice of a key made by a self-rotation. */
  selfRotated: (successorId: string) => `self-rotated-${successorId}`,
} as const;

/** The BullMQ queues: one processor each. */
export const QueueName = {
  /** Jobs that change or record a key's state with time. */
  Lifecycle: 'key-lifecycle',
  /** Outgoing e-mail, one job per notification. */
  Email: 'email',
} as const;

/** A queue name. */
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** The job names of lifecycle.md. */
export const JobName = {
  /** Send the reminder of one window before a key's expiry. */
  ExpiryReminder: 'expiry-reminder',
  /** Record that a key's expiry passed. */
  KeyExpired: 'key-expired',
  /** Tell the owner a key is older than the rotation age. */
  RotationDue: 'rotation-due',
  /** Revoke a rotated key's old half at its grace end. */
  FinishRotation: 'finish-rotation',
  /** Tell the owner a key was revoked by a leak report. */
  LeakFollowUp: 'leak-follow-up',
  /** Send the e-mail of one notification. */
  SendEmail: 'send-email',
  /** Send an address its confirmation link (the only e-mail an unconfirmed address gets). */
  SendConfirmation: 'send-confirmation',
  /** Alert the owner that a canary key was used (at most once per key per 10 minutes). */
  CanaryAlert: 'canary-alert',
  /** Tell the owner a key has not been used for UNUSED_DAYS. */
  UnusedKey: 'unused-key',
} as const;

/** A canary alert covers every use of its key within this many ms (lifecycle.md: one per 10 minutes). */
export const CANARY_ALERT_WINDOW_MS = 10 * 60_000;

/** A job name. */
export type JobName = (typeof JobName)[keyof typeof JobName];

/** Payload of `expiry-reminder`: the key and the window, in days before expiry. */
export const ExpiryReminderPayloadSchema = z.object({ keyId: IdSchema, windowDays: z.number().positive() });

/** Payload of `key-expired`. */
export const KeyExpiredPayloadSchema = z.object({ keyId: IdSchema });

/** Payload of `rotation-due`: `period` counts rotation ages since creation (1 = first). */
export const RotationDuePayloadSchema = z.object({ keyId: IdSchema, period: z.number().int().positive() });

/** Payload of `finish-rotation`: the old key of a rotation. */
export const FinishRotationPayloadSchema = z.object({ keyId: IdSchema });

/** Payload of `leak-follow-up`: the revoked key and the audit event of the report. */
export const LeakFollowUpPayloadSchema = z.object({ keyId: IdSchema, auditEventId: IdSchema });

/** Payload of `send-email`: the e-mail is built from the notification row, so no secret travels. */
export const SendEmailPayloadSchema = z.object({ notificationId: IdSchema });

/**
 * Payload of `send-confirmation`: the user and when the e-mail was asked for. The worker makes the
 * token itself and stores only its hash, so no token ever sits in a queue.
 */
export const SendConfirmationPayloadSchema = z.object({ userId: IdSchema, requestedAt: z.iso.datetime() });

/** Payload of `canary-alert`: the key and the 10-minute window (ms since epoch / CANARY_ALERT_WINDOW_MS) of the use. */
export const CanaryAlertPayloadSchema = z.object({ keyId: IdSchema, window: z.number().int().nonnegative() });

/** Payload of `unused-key`: the key and the start of its period of disuse (last use, or creation). */
export const UnusedKeyPayloadSchema = z.object({ keyId: IdSchema, since: z.iso.datetime() });

/** Payload of each job name. */
export interface JobPayloads {
  'expiry-reminder': z.infer<typeof ExpiryReminderPayloadSchema>;
  'key-expired': z.infer<typeof KeyExpiredPayloadSchema>;
  'rotation-due': z.infer<typeof RotationDuePayloadSchema>;
  'finish-rotation': z.infer<typeof FinishRotationPayloadSchema>;
  'leak-follow-up': z.infer<typeof LeakFollowUpPayloadSchema>;
  'send-email': z.infer<typeof SendEmailPayloadSchema>;
  'send-confirmation': z.infer<typeof SendConfirmationPayloadSchema>;
  'canary-alert': z.infer<typeof CanaryAlertPayloadSchema>;
  'unused-key': z.infer<typeof UnusedKeyPayloadSchema>;
}

/** The payload schema of each job name, for processors to validate what they take off a queue. */
export const JobPayloadSchemas = {
  'expiry-reminder': ExpiryReminderPayloadSchema,
  'key-expired': KeyExpiredPayloadSchema,
  'rotation-due': RotationDuePayloadSchema,
  'finish-rotation': FinishRotationPayloadSchema,
  'leak-follow-up': LeakFollowUpPayloadSchema,
  'send-email': SendEmailPayloadSchema,
  'send-confirmation': SendConfirmationPayloadSchema,
  'canary-alert': CanaryAlertPayloadSchema,
  'unused-key': UnusedKeyPayloadSchema,
} as const satisfies { [N in JobName]: z.ZodType<JobPayloads[N]> };

/**
 * The deterministic job id of each job, so that enqueueing twice makes one job. Separators are `-`,
 * not `:` (lifecycle.md's example): BullMQ refuses most custom ids that contain `:`.
 */
export const jobId = {
  /** `expiry-<keyId>-<windowDays>`: the effect's own key */
  expiryReminder: (p: JobPayloads['expiry-reminder']) => effectKey.expiry(p.keyId, p.windowDays),
  /** `expired-<keyId>` */
  keyExpired: (p: JobPayloads['key-expired']) => effectKey.expired(p.keyId),
  /** `rotation-due-<keyId>-<period>` */
  rotationDue: (p: JobPayloads['rotation-due']) => effectKey.rotationDue(p.keyId, p.period),
  /** `finish-rotation-<keyId>` */
  finishRotation: (p: JobPayloads['finish-rotation']) => `finish-rotation-${p.keyId}`,
  /** `leak-<keyId>-<auditEventId>` */
  leakFollowUp: (p: JobPayloads['leak-follow-up']) => `leak-${p.keyId}-${p.auditEventId}`,
  /** `email-<notificationId>` */
  sendEmail: (p: JobPayloads['send-email']) => `email-${p.notificationId}`,
  /** `confirm-<userId>-<requestedAt ms>` */
  sendConfirmation: (p: JobPayloads['send-confirmation']) => `confirm-${p.userId}-${Date.parse(p.requestedAt)}`,
  /** `canary-<keyId>-<window>` */
  canaryAlert: (p: JobPayloads['canary-alert']) => effectKey.canaryAlert(p.keyId, p.window),
  /** `unused-<keyId>-<since ms>`: a use starts a new period, so a new id */
  unusedKey: (p: JobPayloads['unused-key']) => effectKey.unused(p.keyId, new Date(p.since)),
} as const;

/** How long an e-mail confirmation link works (http-api.md "E-mail confirmation"). */
export const EMAIL_TOKEN_TTL_MS = 24 * HOUR_MS;
