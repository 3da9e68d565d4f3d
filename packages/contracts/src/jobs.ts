import { z } from 'zod';
import { IdSchema } from './common.js';
import { DAY_MS, HOUR_MS } from './time.js';

const DAY_S = DAY_MS / 1000;

/** What BullMQ is told about every job besides its id: retries and how long finished jobs are kept. */
export interface JobOptions {
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
  removeOnComplete: { age: number; count?: number };
  removeOnFail: { age: number; count?: number };
}

/**
 * Options of every job unless its table entry says otherwise: retries with backoff, completed jobs
 * kept a day (their ids stop a duplicate add meanwhile), failures a week.
 */
export const JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: DAY_S, count: 5000 },
  removeOnFail: { age: 7 * DAY_S },
} as const satisfies JobOptions;

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

/** A canary alert covers every use of its key within this many ms (lifecycle.md: one per 10 minutes). */
export const CANARY_ALERT_WINDOW_MS = 10 * 60_000;

/** How long an e-mail confirmation link works (http-api.md "E-mail confirmation"). */
export const EMAIL_TOKEN_TTL_MS = 24 * HOUR_MS;

/** Confirmation e-mails one address may get in 24 hours, across all accounts (security.md: no harassment). */
export const CONFIRMATION_EMAILS_PER_DAY = 5;

/** One entry of the job table: everything a producer and a processor need to know about a job. */
export interface JobDefinition<N extends string = string, Q extends QueueName = QueueName, S extends z.ZodType = z.ZodType> {
  /** The job's name on its queue. */
  name: N;
  /** The queue it goes to. */
  queue: Q;
  /** Its payload: ids and facts only, never a secret (the worker reads the rest from the database). */
  payload: S;
  /**
   * Its deterministic id, so that adding it twice makes one job. Separators are `-`, not `:`
   * (lifecycle.md's example): BullMQ refuses most custom ids that contain `:`.
   */
  id: (payload: z.output<S>) => string;
  /** Retries and retention. */
  options: JobOptions;
}

function defineJob<const N extends string, Q extends QueueName, S extends z.ZodType>(
  entry: Omit<JobDefinition<N, Q, S>, 'options'> & { options?: JobOptions },
): JobDefinition<N, Q, S> {
  return { ...entry, options: entry.options ?? JOB_OPTIONS };
}

/**
 * The job table (lifecycle.md): one entry per job. Job names, payload types, ids and options all
 * derive from it; producers (`JobProducer` in @tradetally/database) and processors import it. The
 * ids are those of running deployments: changing one would let a job already queued run twice.
 */
export const Jobs = {
  /** Send the reminder of one window (days before expiry) of a key: `expiry-<keyId>-<windowDays>`, the effect's own key. */
  ExpiryReminder: defineJob({
    name: 'expiry-reminder',
    queue: QueueName.Lifecycle,
    payload: z.object({ keyId: IdSchema, windowDays: z.number().positive() }),
    id: (p) => effectKey.expiry(p.keyId, p.windowDays),
  }),
  /** Record that a key's expiry passed: `expired-<keyId>`. */
  KeyExpired: defineJob({
    name: 'key-expired',
    queue: QueueName.Lifecycle,
    payload: z.object({ keyId: IdSchema }),
    id: (p) => effectKey.expired(p.keyId),
  }),
  /** Tell the owner a key is older than the rotation age; `period` counts rotation ages since creation (1 = first): `rotation-due-<keyId>-<period>`. */
  RotationDue: defineJob({
    name: 'rotation-due',
    queue: QueueName.Lifecycle,
    payload: z.object({ keyId: IdSchema, period: z.number().int().positive() }),
    id: (p) => effectKey.rotationDue(p.keyId, p.period),
  }),
  /** Revoke a rotated key's old half at its grace end (a delayed job): `finish-rotation-<keyId>`. */
  FinishRotation: defineJob({
    name: 'finish-rotation',
    queue: QueueName.Lifecycle,
    payload: z.object({ keyId: IdSchema }),
    id: (p) => `finish-rotation-${p.keyId}`,
  }),
  /** E-mail the owner of a key revoked by a leak report (the audit event is the report's): `leak-<keyId>-<auditEventId>`. */
  LeakFollowUp: defineJob({
    name: 'leak-follow-up',
    queue: QueueName.Lifecycle,
    payload: z.object({ keyId: IdSchema, auditEventId: IdSchema }),
    id: (p) => `leak-${p.keyId}-${p.auditEventId}`,
  }),
  /** Alert the owner that a canary key was used, once per key and 10-minute window (ms since epoch / CANARY_ALERT_WINDOW_MS): `canary-<keyId>-<window>`. */
  CanaryAlert: defineJob({
    name: 'canary-alert',
    queue: QueueName.Lifecycle,
    payload: z.object({ keyId: IdSchema, window: z.number().int().nonnegative() }),
    id: (p) => effectKey.canaryAlert(p.keyId, p.window),
  }),
  /** Tell the owner a key has not been used for UNUSED_DAYS since `since` (its last use, or creation): `unused-<keyId>-<since ms>`; a use starts a new period, so a new id. */
  UnusedKey: defineJob({
    name: 'unused-key',
    queue: QueueName.Lifecycle,
    payload: z.object({ keyId: IdSchema, since: z.iso.datetime() }),
    id: (p) => effectKey.unused(p.keyId, new Date(p.since)),
  }),
  /** Send the e-mail of one notification, built from its row so no secret travels: `email-<notificationId>`. */
  SendEmail: defineJob({
    name: 'send-email',
    queue: QueueName.Email,
    payload: z.object({ notificationId: IdSchema }),
    id: (p) => `email-${p.notificationId}`,
  }),
  /**
   * Send an address its confirmation link, the only e-mail an unconfirmed address gets. The worker
   * makes the token itself and stores only its hash, so no token ever sits in a queue:
   * `confirm-<userId>-<requestedAt ms>`.
   */
  SendConfirmation: defineJob({
    name: 'send-confirmation',
    queue: QueueName.Email,
    payload: z.object({ userId: IdSchema, requestedAt: z.iso.datetime() }),
    id: (p) => `confirm-${p.userId}-${Date.parse(p.requestedAt)}`,
  }),
} as const;

type JobTable = typeof Jobs;

/** A job name. */
export type JobName = JobTable[keyof JobTable]['name'];

/** The job names of the table, by entry: `JobName.ExpiryReminder` is `'expiry-reminder'`. */
export const JobName = Object.fromEntries(Object.entries(Jobs).map(([entry, job]) => [entry, job.name])) as {
  readonly [E in keyof JobTable]: JobTable[E]['name'];
};

/** The table entry of each job name. */
type JobByName = { [E in keyof JobTable as JobTable[E]['name']]: JobTable[E] };

/** The table by job name (a processor looks a job up by the name it took off the queue). */
export const JOBS = Object.fromEntries(Object.values(Jobs).map((job) => [job.name, job])) as { readonly [N in JobName]: JobByName[N] };

/** The payload of each job name. */
export type JobPayloads = { [N in JobName]: z.output<JobByName[N]['payload']> };

/** The names of the jobs of one queue. */
export type JobNameOf<Q extends QueueName> = { [N in JobName]: JobByName[N]['queue'] extends Q ? N : never }[JobName];

/** The deterministic id of a job (its table entry's `id`). */
export function jobId<N extends JobName>(name: N, payload: JobPayloads[N]): string {
  return (JOBS[name].id as (payload: JobPayloads[N]) => string)(payload);
}
