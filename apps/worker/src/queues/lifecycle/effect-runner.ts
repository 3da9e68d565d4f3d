import { Inject, Injectable } from '@nestjs/common';
import { type AuditEventType, JobName, type NotificationMessage, type NotificationType, isEmailed } from '@tradetally/contracts';
import type { ApiKeyEntity, NewAuditEvent, NewNotification } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import { LIFECYCLE_STORE } from '../../tokens.js';

/** What the lifecycle rules read of a key. */
export type LifecycleKey = Pick<
  ApiKeyEntity,
  | 'id'
  | 'userId'
  | 'name'
  | 'scope'
  | 'environment'
  | 'prefix'
  | 'last4'
  | 'createdAt'
  | 'expiresAt'
  | 'graceEndsAt'
  | 'revokedAt'
  | 'revokeReason'
  | 'rotatedToId'
  | 'lastUsedAt'
  | 'canary'
>;

/** The ledger's kinds of effect (lifecycle_effects.kind). */
export type EffectKind = 'expiry' | 'expired' | 'rotation-due' | 'rotation-finished' | 'unused' | 'canary-alert';

/** One ledger row: the effect's key (`effectKey` in contracts) and its kind. */
export interface LedgerEntry {
  key: string;
  kind: EffectKind;
}

/** The last use of a canary key, from the audit trail. */
export interface CanaryUse {
  at: Date;
  ip?: string;
  userAgent?: string | null;
  method?: string;
  path?: string;
}

/**
 * What the rules and the runner read and write inside one transaction: the seam between the rules
 * and the database (the real one is DbLifecycleStore; unit specs pass an in-memory double).
 */
export interface LifecycleTx {
  /** The key, or null; `lock` takes its row lock first (PostgreSQL), so jobs of one key run one at a time. */
  findKey(keyId: string, options?: { lock?: boolean }): Promise<LifecycleKey | null>;
  /** Claims a ledger row: true the first time, false ever after. */
  claim(entry: LedgerEntry & { apiKeyId: string; status?: 'done' | 'skipped' }): Promise<boolean>;
  /** Revokes a rotated key at its grace end (reason `rotated`) if nothing revoked it first; true when this call did. */
  revokeAtGraceEnd(key: LifecycleKey, now: Date): Promise<boolean>;
  /** When the key last got a notification of `type` after `since`, if it did. */
  lastNotificationSince(keyId: string, type: NotificationType, since: Date): Promise<Date | null>;
  /** A canary key's uses after `since`, and its last use ever. */
  canaryUses(keyId: string, since: Date): Promise<{ count: number; last: CanaryUse | null }>;
  writeNotification(notification: NewNotification, at: Date): Promise<string>;
  writeAuditEvent(event: NewAuditEvent, at: Date): Promise<string>;
}

/** The lifecycle's data: transactions, and the one read outside them (the leak follow-up's notification). */
export interface LifecycleStore {
  transaction<T>(work: (tx: LifecycleTx) => Promise<T>): Promise<T>;
  /** The id of the notification written under `dedupeKey`, if any. */
  notificationId(dedupeKey: string): Promise<string | null>;
}

/** What an effect writes once its ledger row is claimed. */
export interface Effect {
  ledger: LedgerEntry;
  /** Ledger keys of the same kind recorded as skipped with it (reminder windows that came due together). */
  skipped?: string[];
  notification?: NotificationMessage;
  audit?: { type: AuditEventType; details: Record<string, unknown> };
  /** The job's outcome when this run did the effect… */
  outcome: string;
  /** …and when another run had claimed it first. */
  alreadyDone: string;
}

/** What a rule decides for one job: nothing, a ledger row recorded as skipped, or an effect on a key. */
export type Decision =
  { kind: 'nothing'; outcome: string } | { kind: 'skip'; ledger: LedgerEntry; outcome: string } | { kind: 'effect'; key: LifecycleKey; effect: Effect };

/** Nothing to do or record (the key is gone, the effect is not due). */
export const nothing = (outcome: string): Decision => ({ kind: 'nothing', outcome });

/** Records the ledger row as skipped (so the sweep stops finding it) and does nothing else. */
export const skip = (ledger: LedgerEntry, outcome: string): Decision => ({ kind: 'skip', ledger, outcome });

/** Does `effect` on `key`, once. */
export const effect = (key: LifecycleKey, what: Effect): Decision => ({ kind: 'effect', key, effect: what });

/** A lifecycle rule: given the key (null when it is gone) and the time, what to do. */
export type Rule = (key: LifecycleKey | null, now: Date, tx: LifecycleTx) => Decision | Promise<Decision>;

/**
 * Runs the lifecycle rules. Each run is one transaction that finds the key, asks the rule, claims
 * the effect's ledger row, and only if this run claimed it writes the notification and the audit
 * event; the ledger row, the notification and the audit event commit together or not at all. So
 * an effect happens once however many times its job runs (retries, two workers, a worker killed
 * half-way: lifecycle.md). The notification's e-mail is queued after the commit when the catalog
 * e-mails its type; if that add fails, the sweep's outbox sends it.
 */
@Injectable()
export class EffectRunner {
  constructor(
    @Inject(LIFECYCLE_STORE) private readonly store: LifecycleStore,
    @Inject(JobProducer) private readonly jobs: JobQueue,
  ) {}

  async run(keyId: string, rule: Rule, options: { lockKey?: boolean } = {}): Promise<string> {
    const done = await this.store.transaction(async (tx): Promise<{ outcome: string; email: string | null }> => {
      const key = await tx.findKey(keyId, { lock: options.lockKey });
      const now = new Date();
      const decision = await rule(key, now, tx);
      if (decision.kind === 'nothing') return { outcome: decision.outcome, email: null };
      if (decision.kind === 'skip') {
        await tx.claim({ ...decision.ledger, apiKeyId: keyId, status: 'skipped' });
        return { outcome: decision.outcome, email: null };
      }
      const { key: subject, effect: what } = decision;
      if (!(await tx.claim({ ...what.ledger, apiKeyId: subject.id }))) return { outcome: what.alreadyDone, email: null };
      for (const skipped of what.skipped ?? []) await tx.claim({ key: skipped, kind: what.ledger.kind, apiKeyId: subject.id, status: 'skipped' });
      const owner = { userId: subject.userId, apiKeyId: subject.id, dedupeKey: what.ledger.key };
      const notificationId = what.notification ? await tx.writeNotification({ ...owner, ...what.notification }, now) : null;
      if (what.audit) await tx.writeAuditEvent({ ...owner, ...what.audit, actor: 'system' }, now);
      return { outcome: what.outcome, email: notificationId && what.notification && isEmailed(what.notification.type) ? notificationId : null };
    });
    if (done.email) await this.jobs.add(JobName.SendEmail, { notificationId: done.email });
    return done.outcome;
  }
}
