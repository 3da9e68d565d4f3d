import type { ApiKeyEnvironment, ApiKeyScope, RevokeReason } from '@tradetally/contracts';
import type { Db, SqlParam } from '../db.js';
import { type Cursor, type Row, type Tx, bool, changed, insertRow, json, pageClause, setClause, text } from './sql.js';

/**
 * The SQL form of `keyStatus(…) === 'active'` (@tradetally/contracts), with the placeholder that
 * holds "now".
 */
function activeKeySql(now: string): string {
  return `revoked_at IS NULL AND (grace_ends_at IS NULL OR grace_ends_at > ${now}) AND (expires_at IS NULL OR expires_at > ${now})`;
}

/** An API key as stored. The key itself never is: only HMAC-SHA256(pepper, key), `prefix` and `last4`. */
export interface ApiKeyRecord {
  id: string;
  userId: string;
  name: string;
  scope: ApiKeyScope;
  environment: ApiKeyEnvironment;
  prefix: string;
  last4: string;
  keyHash: string;
  /** Which pepper `keyHash` was made with (TT_KEY_PEPPERS ids; "1" for a single TT_KEY_PEPPER). */
  pepperId: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  lastUsedUserAgent: string | null;
  revokedAt: Date | null;
  revokeReason: RevokeReason | null;
  rotatedFromId: string | null;
  rotatedToId: string | null;
  graceEndsAt: Date | null;
  /** A decoy: every use answers as an unknown key would, and alerts the owner. */
  canary: boolean;
  selfRotate: boolean;
  /** Made by its predecessor's self-rotation. */
  madeBySelfRotation: boolean;
  /**
   * The id of the first key of its lineage: a self-rotation's successor shares its predecessor's,
   * every other key starts its own (`lineageId === id`). A leak report revokes a whole lineage.
   */
  lineageId: string;
  /** Addresses and CIDRs the key works from; null = anywhere. */
  allowedIps: string[] | null;
}

/** What the key check needs of a key: one indexed query by hash, on every keyed request. */
export interface KeyCheckRecord {
  id: string;
  userId: string;
  scope: ApiKeyScope;
  expiresAt: Date | null;
  revokedAt: Date | null;
  graceEndsAt: Date | null;
  lastUsedAt: Date | null;
  canary: boolean;
  /** The stored JSON text of allowedIps (the check compiles each distinct list once, keyed by it). */
  allowedIpsText: string | null;
  pepperId: string;
}

/** The fields a key's owner can change in place. */
export type ApiKeyChanges = Partial<Pick<ApiKeyRecord, 'name' | 'allowedIps'>>;

const COLUMN_OF = {
  id: 'id',
  userId: 'user_id',
  name: 'name',
  scope: 'scope',
  environment: 'environment',
  prefix: 'prefix',
  last4: 'last4',
  keyHash: 'key_hash',
  pepperId: 'pepper_id',
  createdAt: 'created_at',
  expiresAt: 'expires_at',
  lastUsedAt: 'last_used_at',
  lastUsedIp: 'last_used_ip',
  lastUsedUserAgent: 'last_used_user_agent',
  revokedAt: 'revoked_at',
  revokeReason: 'revoke_reason',
  rotatedFromId: 'rotated_from_id',
  rotatedToId: 'rotated_to_id',
  graceEndsAt: 'grace_ends_at',
  canary: 'canary',
  selfRotate: 'self_rotate',
  madeBySelfRotation: 'made_by_self_rotation',
  lineageId: 'lineage_id',
  allowedIps: 'allowed_ips',
} as const satisfies Record<keyof ApiKeyRecord, string>;

const SELECT = `SELECT ${Object.values(COLUMN_OF).join(', ')} FROM api_keys`;
const CHECK_COLUMNS = 'id, user_id, scope, expires_at, revoked_at, grace_ends_at, last_used_at, canary, allowed_ips, pepper_id';
const CHUNK = 500;

/** A stored value of a record field. */
function stored(field: keyof ApiKeyRecord, value: unknown): SqlParam {
  if (field === 'allowedIps') return value ? JSON.stringify(value) : null;
  return (value ?? null) as SqlParam;
}

/** The `api_keys` table. */
export class ApiKeysRepository {
  private readonly checkQueries = new Map<number, string>();

  constructor(private readonly db: Db) {}

  private decode = (row: Row): ApiKeyRecord => ({
    id: String(row.id),
    userId: String(row.user_id),
    name: String(row.name),
    scope: row.scope as ApiKeyScope,
    environment: row.environment as ApiKeyEnvironment,
    prefix: String(row.prefix),
    last4: String(row.last4),
    keyHash: String(row.key_hash),
    pepperId: String(row.pepper_id),
    createdAt: this.db.date(row.created_at) ?? new Date(0),
    expiresAt: this.db.date(row.expires_at),
    lastUsedAt: this.db.date(row.last_used_at),
    lastUsedIp: text(row.last_used_ip),
    lastUsedUserAgent: text(row.last_used_user_agent),
    revokedAt: this.db.date(row.revoked_at),
    revokeReason: text(row.revoke_reason) as RevokeReason | null,
    rotatedFromId: text(row.rotated_from_id),
    rotatedToId: text(row.rotated_to_id),
    graceEndsAt: this.db.date(row.grace_ends_at),
    canary: bool(row.canary),
    selfRotate: bool(row.self_rotate),
    madeBySelfRotation: bool(row.made_by_self_rotation),
    // A row written without a lineage (only ever by hand) is the first key of its own.
    lineageId: text(row.lineage_id) ?? String(row.id),
    allowedIps: json<string[]>(row.allowed_ips),
  });

  /**
   * The key check's lookup: one indexed query by the key's hash under each configured pepper
   * (`=` for one pepper, which keeps the prepared statement's plan as simple as it gets).
   */
  async findForCheck(hashes: string[]): Promise<KeyCheckRecord | null> {
    let sql = this.checkQueries.get(hashes.length);
    if (!sql) {
      sql =
        hashes.length === 1
          ? `SELECT ${CHECK_COLUMNS} FROM api_keys WHERE key_hash = $1`
          : `SELECT ${CHECK_COLUMNS} FROM api_keys WHERE key_hash IN (${hashes.map((_, i) => `$${i + 1}`).join(', ')})`;
      this.checkQueries.set(hashes.length, sql);
    }
    const [row] = await this.db.query(sql, hashes);
    if (!row) return null;
    return {
      id: String(row.id),
      userId: String(row.user_id),
      scope: row.scope as ApiKeyScope,
      expiresAt: this.db.date(row.expires_at),
      revokedAt: this.db.date(row.revoked_at),
      graceEndsAt: this.db.date(row.grace_ends_at),
      lastUsedAt: this.db.date(row.last_used_at),
      canary: bool(row.canary),
      allowedIpsText: text(row.allowed_ips),
      pepperId: String(row.pepper_id),
    };
  }

  async findById(id: string, tx?: Tx): Promise<ApiKeyRecord | null> {
    const [row] = await this.db.query(`${SELECT} WHERE id = $1`, [id], tx);
    return row ? this.decode(row) : null;
  }

  /** A user's key; null for another user's or an unknown id alike. */
  async findOwned(userId: string, id: string, tx?: Tx): Promise<ApiKeyRecord | null> {
    const [row] = await this.db.query(`${SELECT} WHERE id = $1 AND user_id = $2`, [id, userId], tx);
    return row ? this.decode(row) : null;
  }

  /** Every stored key among these hashes (any user, any status). */
  async findByHashes(hashes: string[]): Promise<ApiKeyRecord[]> {
    const found: ApiKeyRecord[] = [];
    for (let i = 0; i < hashes.length; i += CHUNK) {
      const chunk = hashes.slice(i, i + CHUNK);
      const rows = await this.db.query(`${SELECT} WHERE key_hash IN (${chunk.map((_, j) => `$${j + 1}`).join(', ')})`, chunk);
      found.push(...rows.map(this.decode));
    }
    return found;
  }

  /** A user's key among these hashes (the lookup of a whole key the user holds). */
  async findOwnedByHashes(userId: string, hashes: string[]): Promise<ApiKeyRecord | null> {
    const [row] = await this.db.query(`${SELECT} WHERE user_id = $1 AND key_hash IN (${hashes.map((_, i) => `$${i + 2}`).join(', ')})`, [userId, ...hashes]);
    return row ? this.decode(row) : null;
  }

  /** A page of a user's keys, newest first (`limit + 1` rows); `activeAt` keeps only keys active then. */
  async page(userId: string, filter: { activeAt?: Date; cursor: Cursor | null; limit: number }): Promise<ApiKeyRecord[]> {
    const params: SqlParam[] = [userId];
    let where = 'user_id = $1';
    if (filter.activeAt) where += ` AND ${activeKeySql(`$${params.push(filter.activeAt)}`)}`;
    const page = pageClause('created_at', filter.cursor, filter.limit, params);
    return (await this.db.query(`${SELECT} WHERE ${where}${page.where}${page.tail}`, params)).map(this.decode);
  }

  /** Stores a key; the first key of a lineage (`lineageId === id`) also gets its lineage's row. */
  async insert(key: ApiKeyRecord, tx?: Tx): Promise<void> {
    const row = Object.fromEntries(
      Object.entries(COLUMN_OF).map(([field, column]) => [column, stored(field as keyof ApiKeyRecord, key[field as keyof ApiKeyRecord])]),
    );
    if (key.lineageId === key.id) await this.db.query('INSERT INTO api_key_lineages (id, leaked_at) VALUES ($1, NULL)', [key.id], tx);
    await insertRow(this.db, 'api_keys', row, tx);
  }

  /**
   * Takes a lineage's row for the rest of `tx` (PostgreSQL `FOR UPDATE`; SQLite transactions are
   * serial already) and answers when it was marked leaked (null: never). A self-rotation holds it
   * while it counts, checks and creates, and a leak report marks the same row, so the two run one
   * after the other whatever the interleaving.
   */
  async lockLineage(lineageId: string, tx: Tx): Promise<{ leakedAt: Date | null }> {
    // A lineage row is made with its first key; this covers a key stored without one.
    await this.db.query('INSERT INTO api_key_lineages (id, leaked_at) VALUES ($1, NULL) ON CONFLICT (id) DO NOTHING', [lineageId], tx);
    const lock = this.db.kind === 'postgres' ? ' FOR UPDATE' : '';
    const [row] = await this.db.query(`SELECT leaked_at FROM api_key_lineages WHERE id = $1${lock}`, [lineageId], tx);
    return { leakedAt: this.db.date(row?.leaked_at) };
  }

  /** The creation times of a lineage's self-rotated keys made after `since`, oldest first. */
  async selfRotationsSince(lineageId: string, since: Date, tx?: Tx): Promise<Date[]> {
    const rows = await this.db.query(
      'SELECT created_at FROM api_keys WHERE lineage_id = $1 AND made_by_self_rotation = $2 AND created_at > $3 ORDER BY created_at',
      [lineageId, true, since],
      tx,
    );
    return rows.map((row) => this.db.date(row.created_at) as Date);
  }

  /**
   * A leak of a lineage: marks it leaked (kept from the first report) and revokes, in one
   * statement, every key of it still active at `at` (predecessors in grace included; `keyId`, the
   * reported key, always counts as of the lineage) with reason `leak_reported`. Answers the keys
   * this call revoked; the cost does not depend on how long the lineage is (one indexed statement).
   */
  async revokeLineage(lineageId: string, keyId: string, at: Date, tx: Tx): Promise<ApiKeyRecord[]> {
    await this.db.query(
      `INSERT INTO api_key_lineages (id, leaked_at) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET leaked_at = COALESCE(api_key_lineages.leaked_at, excluded.leaked_at)`,
      [lineageId, at],
      tx,
    );
    const rows = await this.db.query(
      `UPDATE api_keys SET revoked_at = $1, revoke_reason = 'leak_reported'
        WHERE (lineage_id = $2 OR id = $3) AND ${activeKeySql('$1')}
        RETURNING ${Object.values(COLUMN_OF).join(', ')}`,
      [at, lineageId, keyId],
      tx,
    );
    return rows.map(this.decode);
  }

  /** When a lineage was marked leaked (null: never, or no such lineage). */
  async lineageLeakedAt(lineageId: string): Promise<Date | null> {
    const [row] = await this.db.query('SELECT leaked_at FROM api_key_lineages WHERE id = $1', [lineageId]);
    return this.db.date(row?.leaked_at);
  }

  /** Changes name or allowed addresses of a user's key. */
  async update(userId: string, id: string, changes: ApiKeyChanges, tx?: Tx): Promise<boolean> {
    const set = setClause(
      Object.fromEntries(
        Object.entries(changes).map(([field, value]) => [COLUMN_OF[field as keyof ApiKeyChanges], stored(field as keyof ApiKeyRecord, value)]),
      ),
      3,
    );
    if (set.values.length === 0) return true;
    return (await changed(this.db, `UPDATE api_keys SET ${set.sql} WHERE id = $1 AND user_id = $2`, [id, userId, ...set.values], tx)) === 1;
  }

  /** Revokes a key that is not revoked yet; false when it already was (another request won). */
  async revoke(id: string, reason: RevokeReason, at: Date, tx?: Tx): Promise<boolean> {
    return (await changed(this.db, 'UPDATE api_keys SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL', [at, reason, id], tx)) === 1;
  }

  /**
   * Marks `id` as rotated to `successorId` with its grace end (and revoked at once when the grace
   * is 0), only while it is still rotatable: not rotated, not revoked, not in a grace period, not
   * expired. Of concurrent rotations exactly one wins; false for the others.
   */
  async claimRotation(id: string, successorId: string, graceEndsAt: Date, revokeNow: boolean, now: Date, tx: Tx): Promise<boolean> {
    const values: SqlParam[] = [id, successorId, graceEndsAt, now];
    const revoke = revokeNow ? `, revoked_at = $4, revoke_reason = 'rotated'` : '';
    return (
      (await changed(
        this.db,
        `UPDATE api_keys SET rotated_to_id = $2, grace_ends_at = $3${revoke}
          WHERE id = $1 AND rotated_to_id IS NULL AND revoked_at IS NULL AND grace_ends_at IS NULL AND (expires_at IS NULL OR expires_at > $4)`,
        values,
        tx,
      )) === 1
    );
  }

  /** Revokes a rotated key at its grace end, once; false when it is revoked already or its grace has not ended. */
  async finishRotation(id: string, now: Date, tx: Tx): Promise<boolean> {
    return (
      (await changed(
        this.db,
        `UPDATE api_keys SET revoked_at = grace_ends_at, revoke_reason = 'rotated' WHERE id = $1 AND revoked_at IS NULL AND grace_ends_at <= $2`,
        [id, now],
        tx,
      )) === 1
    );
  }

  /** Holds the key's row until the transaction ends (PostgreSQL; SQLite transactions are serial already). */
  async lock(id: string, tx: Tx): Promise<void> {
    if (this.db.kind === 'postgres') await this.db.query('SELECT id FROM api_keys WHERE id = $1 FOR UPDATE', [id], tx);
  }

  /** Re-hashes a key under the current pepper; the condition makes concurrent uses write it once. */
  async rehash(id: string, fromPepperId: string, keyHash: string, pepperId: string): Promise<void> {
    await this.db.query('UPDATE api_keys SET key_hash = $1, pepper_id = $2 WHERE id = $3 AND pepper_id = $4', [keyHash, pepperId, id, fromPepperId]);
  }

  /** Records a use: time, address and client, unless a use at most `staleBefore` ago is already recorded. */
  async touch(id: string, at: Date, ip: string, userAgent: string | null, staleBefore: Date): Promise<void> {
    await this.db.query(
      'UPDATE api_keys SET last_used_at = $1, last_used_ip = $2, last_used_user_agent = $3 WHERE id = $4 AND (last_used_at IS NULL OR last_used_at < $5)',
      [at, ip, userAgent, id, staleBefore],
    );
  }

  /** Per pepper id: every key hashed with it, and those of them that still work at `now`. */
  async countByPepper(now: Date): Promise<Array<{ pepperId: string; keys: number; usable: number }>> {
    const rows = await this.db.query(
      `SELECT pepper_id, COUNT(*) AS keys, SUM(CASE WHEN ${activeKeySql('$1')} THEN 1 ELSE 0 END) AS usable
         FROM api_keys GROUP BY pepper_id ORDER BY pepper_id`,
      [now],
    );
    return rows.map((row) => ({ pepperId: String(row.pepper_id), keys: Number(row.keys), usable: Number(row.usable ?? 0) }));
  }

  // The sweep's questions (the worker): which keys are due for what, at `now`.

  /** Active non-canary keys whose expiry falls in (now, until]. */
  async expiringBetween(now: Date, until: Date): Promise<Array<{ id: string; createdAt: Date; expiresAt: Date }>> {
    const rows = await this.db.query(
      `SELECT id, created_at, expires_at FROM api_keys
        WHERE revoked_at IS NULL AND canary = $3 AND (grace_ends_at IS NULL OR grace_ends_at > $1) AND expires_at > $1 AND expires_at <= $2`,
      [now, until, false],
    );
    return rows.map((row) => ({ id: String(row.id), createdAt: this.db.date(row.created_at) as Date, expiresAt: this.db.date(row.expires_at) as Date }));
  }

  /** Keys whose expiry passed (before any revoke or grace end) and whose expiry is not recorded yet. */
  async expiredUnrecorded(now: Date): Promise<string[]> {
    const rows = await this.db.query(
      `SELECT id FROM api_keys k
        WHERE expires_at <= $1 AND revoked_at IS NULL AND (grace_ends_at IS NULL OR grace_ends_at > expires_at)
          AND NOT EXISTS (SELECT 1 FROM lifecycle_effects e WHERE e.api_key_id = k.id AND e.kind = 'expired')`,
      [now],
    );
    return rows.map((row) => String(row.id));
  }

  /** Active, never-rotated, non-canary keys created at or before `createdBefore`. */
  async rotatableCreatedBefore(now: Date, createdBefore: Date): Promise<Array<{ id: string; createdAt: Date }>> {
    const rows = await this.db.query(
      `SELECT id, created_at FROM api_keys
        WHERE revoked_at IS NULL AND canary = $3 AND rotated_to_id IS NULL AND grace_ends_at IS NULL AND (expires_at IS NULL OR expires_at > $1) AND created_at <= $2`,
      [now, createdBefore, false],
    );
    return rows.map((row) => ({ id: String(row.id), createdAt: this.db.date(row.created_at) as Date }));
  }

  /** Rotated keys not revoked yet, with their grace ends. */
  async inGrace(): Promise<Array<{ id: string; graceEndsAt: Date }>> {
    const rows = await this.db.query('SELECT id, grace_ends_at FROM api_keys WHERE revoked_at IS NULL AND grace_ends_at IS NOT NULL');
    return rows.map((row) => ({ id: String(row.id), graceEndsAt: this.db.date(row.grace_ends_at) as Date }));
  }

  /** Active non-canary keys unused (since last use, or creation) at or before `idleSince`. */
  async idleSince(now: Date, idleSince: Date): Promise<Array<{ id: string; since: Date }>> {
    const rows = await this.db.query(
      `SELECT id, created_at, last_used_at FROM api_keys WHERE ${activeKeySql('$1')} AND canary = $3 AND COALESCE(last_used_at, created_at) <= $2`,
      [now, idleSince, false],
    );
    return rows.map((row) => ({ id: String(row.id), since: this.db.date(row.last_used_at) ?? (this.db.date(row.created_at) as Date) }));
  }
}
