import { Inject, Injectable } from '@nestjs/common';
import { type AuditEventType, JobName, type NotificationMessage, isEmailed } from '@tradetally/contracts';
import { type ApiKeyRecord, ApiKeysRepository, EffectsRepository, RecordsRepository, type Tx } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import { DB } from '../../tokens.js';

/** A key as the lifecycle rules read it. */
export type LifecycleKey = ApiKeyRecord;

/** The ledger's kinds of effect (lifecycle_effects.kind). */
export type EffectKind = 'expiry' | 'expired' | 'rotation-due' | 'rotation-finished' | 'unused' | 'canary-alert';

/** One ledger row: the effect's key (`effectKey` in contracts) and its kind. */
export interface LedgerEntry {
  key: string;
  kind: EffectKind;
}

/** Runs work in one transaction (the process's Db; an in-memory double in unit specs). */
export interface Transactions {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
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

/** A lifecycle rule: given the key (null when it is gone), the time and the transaction, what to do. */
export type Rule = (key: LifecycleKey | null, now: Date, tx: Tx) => Decision | Promise<Decision>;

/**
 * Runs the lifecycle rules. Each run is one transaction that finds the key (after taking its row
 * lock when the rule asks: decisions that depend on earlier effects of the same key), asks the rule, claims
 * the effect's ledger row, and only if this run claimed it writes the notification and the audit
 * event; the ledger row, the notification and the audit event commit together or not at all. So
 * an effect happens once however many times its job runs (retries, two workers, a worker killed
 * half-way: lifecycle.md). The notification's e-mail is queued after the commit when the catalog
 * e-mails its type; if that add fails, the sweep's outbox sends it.
 */
@Injectable()
export class EffectRunner {
  constructor(
    @Inject(DB) private readonly db: Transactions,
    @Inject(ApiKeysRepository) private readonly keys: Pick<ApiKeysRepository, 'findById' | 'lock'>,
    @Inject(EffectsRepository) private readonly effects: Pick<EffectsRepository, 'claim'>,
    @Inject(RecordsRepository) private readonly records: Pick<RecordsRepository, 'notify' | 'audit'>,
    @Inject(JobProducer) private readonly jobs: JobQueue,
  ) {}

  async run(keyId: string, rule: Rule, options: { lockKey?: boolean } = {}): Promise<string> {
    const done = await this.db.transaction(async (tx): Promise<{ outcome: string; email: string | null }> => {
      if (options.lockKey) await this.keys.lock(keyId, tx);
      const key = await this.keys.findById(keyId, tx);
      const now = new Date();
      const decision = await rule(key, now, tx);
      if (decision.kind === 'nothing') return { outcome: decision.outcome, email: null };
      if (decision.kind === 'skip') {
        await this.effects.claim(tx, { ...decision.ledger, apiKeyId: keyId, status: 'skipped' }, now);
        return { outcome: decision.outcome, email: null };
      }
      const { key: subject, effect: what } = decision;
      if (!(await this.effects.claim(tx, { ...what.ledger, apiKeyId: subject.id }, now))) return { outcome: what.alreadyDone, email: null };
      for (const skipped of what.skipped ?? []) {
        await this.effects.claim(tx, { key: skipped, kind: what.ledger.kind, apiKeyId: subject.id, status: 'skipped' }, now);
      }
      const owner = { userId: subject.userId, apiKeyId: subject.id, dedupeKey: what.ledger.key };
      const notificationId = what.notification ? await this.records.notify(tx, { ...owner, ...what.notification }, now) : null;
      if (what.audit) await this.records.audit(tx, { ...owner, ...what.audit, actor: 'system' }, now);
      return { outcome: what.outcome, email: notificationId && what.notification && isEmailed(what.notification.type) ? notificationId : null };
    });
    if (done.email) await this.jobs.add(JobName.SendEmail, { notificationId: done.email });
    return done.outcome;
  }
}
