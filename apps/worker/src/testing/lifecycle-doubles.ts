import { randomUUID } from 'node:crypto';
import type { JobName, JobPayloads, NotificationType } from '@tradetally/contracts';
import type { NewAuditEvent, NewNotification } from '@tradetally/database';
import type { JobQueue, JobToAdd } from '@tradetally/database/jobs';
import type { CanaryUse, LedgerEntry, LifecycleKey, LifecycleStore, LifecycleTx } from '../queues/lifecycle/effect-runner.js';

/*
 * Doubles of the lifecycle's seams for unit specs: the rules run against memory instead of a
 * database and a queue. Transactions are serial and all-or-nothing, as the real ones are.
 */

/** A stored ledger row. */
export interface LedgerRow {
  apiKeyId: string;
  kind: string;
  status: 'done' | 'skipped';
}

/** The lifecycle's data in memory. */
export class InMemoryLifecycleStore implements LifecycleStore {
  readonly keys = new Map<string, LifecycleKey>();
  readonly ledger = new Map<string, LedgerRow>();
  readonly notifications: Array<NewNotification & { id: string; at: Date }> = [];
  readonly audit: Array<NewAuditEvent & { id: string; at: Date }> = [];
  /** Keys whose row lock a transaction asked for. */
  readonly locked: string[] = [];
  /** Makes the next notification write throw (a crash half-way through an effect). */
  failNextNotification = false;
  private tail: Promise<unknown> = Promise.resolve();

  /** A key as the API leaves one; `fields` override the defaults. */
  key(fields: Partial<LifecycleKey> & { createdAt: Date }): LifecycleKey {
    const key: LifecycleKey = {
      id: randomUUID(),
      userId: randomUUID(),
      name: 'Broker sync',
      scope: 'read_write',
      environment: 'live',
      prefix: 'tt_live_C7Lf',
      last4: 'xsfq',
      expiresAt: null,
      graceEndsAt: null,
      revokedAt: null,
      revokeReason: null,
      rotatedToId: null,
      lastUsedAt: null,
      canary: false,
      ...fields,
    };
    this.keys.set(key.id, key);
    return key;
  }

  /** A use of a canary key, as the API records it. */
  canaryUse(key: LifecycleKey, at: Date, seen: Omit<CanaryUse, 'at'>): void {
    this.audit.push({ id: randomUUID(), userId: key.userId, apiKeyId: key.id, type: 'key.canary_triggered', actor: 'system', details: seen, at });
  }

  transaction<T>(work: (tx: LifecycleTx) => Promise<T>): Promise<T> {
    const run = async () => {
      const tx = new StagedTx(this);
      const result = await work(tx);
      tx.commit();
      return result;
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  async notificationId(dedupeKey: string): Promise<string | null> {
    return this.notifications.find((n) => n.dedupeKey === dedupeKey)?.id ?? null;
  }
}

/** One transaction: reads see the store and this transaction's writes; writes land on commit. */
class StagedTx implements LifecycleTx {
  private readonly ledger = new Map<string, LedgerRow>();
  private readonly keys = new Map<string, LifecycleKey>();
  private readonly notifications: InMemoryLifecycleStore['notifications'] = [];
  private readonly audit: InMemoryLifecycleStore['audit'] = [];

  constructor(private readonly store: InMemoryLifecycleStore) {}

  async findKey(keyId: string, options: { lock?: boolean } = {}): Promise<LifecycleKey | null> {
    if (options.lock) this.store.locked.push(keyId);
    const key = this.keys.get(keyId) ?? this.store.keys.get(keyId);
    return key ? { ...key } : null;
  }

  async claim(entry: LedgerEntry & { apiKeyId: string; status?: 'done' | 'skipped' }): Promise<boolean> {
    if (this.ledger.has(entry.key) || this.store.ledger.has(entry.key)) return false;
    this.ledger.set(entry.key, { apiKeyId: entry.apiKeyId, kind: entry.kind, status: entry.status ?? 'done' });
    return true;
  }

  async revokeAtGraceEnd(key: LifecycleKey, now: Date): Promise<boolean> {
    const current = await this.findKey(key.id);
    if (!current || current.revokedAt || !current.graceEndsAt || current.graceEndsAt > now) return false;
    this.keys.set(key.id, { ...current, revokedAt: current.graceEndsAt, revokeReason: 'rotated' });
    return true;
  }

  async lastNotificationSince(keyId: string, type: NotificationType, since: Date): Promise<Date | null> {
    const times = [...this.store.notifications, ...this.notifications]
      .filter((n) => n.apiKeyId === keyId && n.type === type && n.at > since)
      .map((n) => n.at.getTime());
    return times.length ? new Date(Math.max(...times)) : null;
  }

  async canaryUses(keyId: string, since: Date): Promise<{ count: number; last: CanaryUse | null }> {
    const uses = this.store.audit.filter((e) => e.apiKeyId === keyId && e.type === 'key.canary_triggered').sort((a, b) => b.at.getTime() - a.at.getTime());
    const last = uses[0];
    return { count: uses.filter((e) => e.at > since).length, last: last ? { at: last.at, ...(last.details as Omit<CanaryUse, 'at'>) } : null };
  }

  async writeNotification(notification: NewNotification, at: Date): Promise<string> {
    if (this.store.failNextNotification) {
      this.store.failNextNotification = false;
      throw new Error('the database went away');
    }
    const id = randomUUID();
    this.notifications.push({ ...notification, id, at });
    return id;
  }

  async writeAuditEvent(event: NewAuditEvent, at: Date): Promise<string> {
    const id = randomUUID();
    this.audit.push({ ...event, id, at });
    return id;
  }

  commit(): void {
    for (const [key, row] of this.ledger) this.store.ledger.set(key, row);
    for (const [id, key] of this.keys) this.store.keys.set(id, key);
    this.store.notifications.push(...this.notifications);
    this.store.audit.push(...this.audit);
  }
}

/** A producer double that keeps what it was given; `down` makes every add fail as with Redis away. */
export class RecordingJobs implements JobQueue {
  readonly added: Array<{ name: JobName; payload: unknown }> = [];
  down = false;

  async add<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<boolean> {
    if (this.down) return false;
    this.added.push({ name, payload });
    return true;
  }

  async addBulk<N extends JobName>(name: N, items: ReadonlyArray<JobToAdd<N>>): Promise<number> {
    let added = 0;
    for (const item of items) if (await this.add(name, item.payload)) added++;
    return added;
  }
}
