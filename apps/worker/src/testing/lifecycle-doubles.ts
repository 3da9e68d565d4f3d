import { randomUUID } from 'node:crypto';
import { type AuditEventType, type JobName, type JobPayloads, type NotificationType, renderNotification } from '@tradetally/contracts';
import type {
  ApiKeyRecord,
  ApiKeysRepository,
  AuditEventRecord,
  Effect,
  EffectsRepository,
  NewAuditEvent,
  NewNotification,
  NotificationRecord,
  RecordsRepository,
  Tx,
} from '@tradetally/database';
import type { JobQueue, JobToAdd } from '@tradetally/database/jobs';
import { apiKeyRecord } from '@tradetally/database/testing';
import type { Transactions } from '../queues/lifecycle/effect-runner.js';

/*
 * Doubles of what the lifecycle rules use, for unit specs: the repositories' methods on memory
 * instead of a database, transactions that are serial and all-or-nothing as the real ones are, and
 * a producer that keeps what it was given.
 */

/** A stored ledger row. */
export interface LedgerRow {
  apiKeyId: string;
  kind: string;
  status: 'done' | 'skipped';
}

/** A notification as the double stores it: what was written, the catalog's words, and when. */
export type StoredNotification = NewNotification & { id: string; at: Date; title: string; body: string };

/** An audit event as the double stores it. */
export type StoredAuditEvent = NewAuditEvent & { id: string; at: Date };

/** One transaction's writes, applied to the store on commit (a transaction's reads see them). */
class Staged {
  readonly ledger = new Map<string, LedgerRow>();
  readonly keys = new Map<string, ApiKeyRecord>();
  readonly notifications: StoredNotification[] = [];
  readonly audit: StoredAuditEvent[] = [];
}

/** The lifecycle's tables in memory, with the repository methods the rules and the runner call. */
export class InMemoryLifecycle implements Transactions {
  readonly keyRows = new Map<string, ApiKeyRecord>();
  readonly ledger = new Map<string, LedgerRow>();
  readonly notifications: StoredNotification[] = [];
  readonly audit: StoredAuditEvent[] = [];
  /** Keys whose row lock a transaction took. */
  readonly locked: string[] = [];
  /** Makes the next notification write throw (a crash half-way through an effect). */
  failNextNotification = false;
  private tail: Promise<unknown> = Promise.resolve();

  /** A key as the API leaves one; `fields` override the defaults. */
  key(fields: Partial<ApiKeyRecord> & { createdAt: Date }): ApiKeyRecord {
    const key = apiKeyRecord({
      userId: randomUUID(),
      name: 'Broker sync',
      scope: 'read_write',
      prefix: 'tt_live_C7Lf',
      last4: 'xsfq',
      keyHash: randomUUID(),
      ...fields,
    });
    this.keyRows.set(key.id, key);
    return key;
  }

  /** A use of a canary key, as the API records it (an audit event per use). */
  canaryUse(key: ApiKeyRecord, at: Date, seen: { ip: string; userAgent: string | null; method: string; path: string }): void {
    this.audit.push({ id: randomUUID(), userId: key.userId, apiKeyId: key.id, type: 'key.canary_triggered', actor: 'system', details: seen, at });
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const run = async () => {
      const staged = new Staged();
      // The repositories only pass the handle on; the doubles know it as their Staged writes.
      const result = await work(staged as unknown as Tx);
      for (const [key, row] of staged.ledger) this.ledger.set(key, row);
      for (const [id, key] of staged.keys) this.keyRows.set(id, key);
      this.notifications.push(...staged.notifications);
      this.audit.push(...staged.audit);
      return result;
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private staged = (tx: Tx | undefined): Staged | null => (tx as unknown as Staged | undefined) ?? null;

  /** ApiKeysRepository's methods the lifecycle uses. */
  readonly keys: Pick<ApiKeysRepository, 'findById' | 'lock' | 'finishRotation'> = {
    findById: async (id, tx) => {
      const key = this.staged(tx)?.keys.get(id) ?? this.keyRows.get(id);
      return key ? { ...key } : null;
    },
    lock: async (id) => {
      this.locked.push(id);
    },
    finishRotation: async (id, now, tx) => {
      const key = await this.keys.findById(id, tx);
      if (!key || key.revokedAt || !key.graceEndsAt || key.graceEndsAt > now) return false;
      this.staged(tx)?.keys.set(id, { ...key, revokedAt: key.graceEndsAt, revokeReason: 'rotated' });
      return true;
    },
  };

  /** EffectsRepository's claim. */
  readonly effects: Pick<EffectsRepository, 'claim'> = {
    claim: async (tx: Tx, effect: Effect) => {
      const staged = this.staged(tx);
      if (!staged || staged.ledger.has(effect.key) || this.ledger.has(effect.key)) return false;
      staged.ledger.set(effect.key, { apiKeyId: effect.apiKeyId, kind: effect.kind, status: effect.status ?? 'done' });
      return true;
    },
  };

  /** RecordsRepository's methods the lifecycle uses; notifications are rendered by the catalog, so a malformed message fails here too. */
  readonly records: Pick<RecordsRepository, 'notify' | 'audit' | 'latestNotificationOf' | 'recentEventsOf' | 'findNotificationByDedupeKey'> = {
    notify: async (tx: Tx, notification: NewNotification, at = new Date()) => {
      if (this.failNextNotification) {
        this.failNextNotification = false;
        throw new Error('the database went away');
      }
      const id = randomUUID();
      this.staged(tx)?.notifications.push({ ...notification, ...renderNotification(notification), id, at });
      return id;
    },
    audit: async (tx: Tx, event: NewAuditEvent, at = new Date()) => {
      const id = randomUUID();
      this.staged(tx)?.audit.push({ ...event, id, at });
      return id;
    },
    latestNotificationOf: async (apiKeyId: string, type: NotificationType, since: Date, tx?: Tx) => {
      const found = [...this.notifications, ...(this.staged(tx)?.notifications ?? [])]
        .filter((n) => n.apiKeyId === apiKeyId && n.type === type && n.at > since)
        .sort((a, b) => b.at.getTime() - a.at.getTime())[0];
      return found ? this.notificationRecord(found) : null;
    },
    recentEventsOf: async (apiKeyId: string, type: AuditEventType, since: Date) => {
      const events = this.audit.filter((e) => e.apiKeyId === apiKeyId && e.type === type).sort((a, b) => b.at.getTime() - a.at.getTime());
      const latest = events[0];
      return { count: events.filter((e) => e.at > since).length, latest: latest ? this.auditRecord(latest) : null };
    },
    findNotificationByDedupeKey: async (dedupeKey: string) => {
      const found = this.notifications.find((n) => n.dedupeKey === dedupeKey);
      return found ? this.notificationRecord(found) : null;
    },
  };

  private notificationRecord(n: StoredNotification): NotificationRecord {
    return {
      id: n.id,
      userId: n.userId,
      apiKeyId: n.apiKeyId,
      type: n.type,
      title: n.title,
      body: n.body,
      data: JSON.stringify(n.data),
      createdAt: n.at,
      readAt: null,
      emailedAt: null,
      dedupeKey: n.dedupeKey ?? null,
    };
  }

  private auditRecord(e: StoredAuditEvent): AuditEventRecord {
    return {
      id: e.id,
      userId: e.userId,
      apiKeyId: e.apiKeyId,
      type: e.type,
      actor: e.actor,
      details: JSON.stringify(e.details ?? {}),
      createdAt: e.at,
      dedupeKey: e.dedupeKey ?? null,
    };
  }
}

/** A producer double that keeps what it was given; `down` makes every add fail as with Redis away. */
export class RecordingJobs implements JobQueue {
  readonly added: Array<{ name: JobName; payload: unknown; at?: Date }> = [];
  down = false;

  async add<N extends JobName>(name: N, payload: JobPayloads[N], options: { at?: Date } = {}): Promise<boolean> {
    if (this.down) return false;
    this.added.push({ name, payload, ...(options.at ? { at: options.at } : {}) });
    return true;
  }

  async addBulk<N extends JobName>(name: N, items: ReadonlyArray<JobToAdd<N>>): Promise<number> {
    let added = 0;
    for (const item of items) if (await this.add(name, item.payload, { at: item.at })) added++;
    return added;
  }
}
