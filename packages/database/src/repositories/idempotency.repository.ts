import type { Db } from '../db.js';
import { changed, num, text } from './sql.js';
import type { Row } from './sql.js';

/** A request that claimed an `Idempotency-Key` for its credential. */
export interface IdempotencyClaim {
  /** Whose key it is: `key:<apiKeyId>` or `user:<userId>` (never shared across users). */
  scope: string;
  /** SHA-256 of the `Idempotency-Key` header, hex. */
  keyHash: string;
  /** What the request was (method, path, body), keyed with the pepper `pepperId`: another body is another hash. */
  requestHash: string;
  pepperId: string;
}

/** A kept row: still running while `status` is null, else the stored (encrypted) answer. */
export interface IdempotencyRecord extends IdempotencyClaim {
  status: number | null;
  response: string | null;
  createdAt: Date;
}

/**
 * The `idempotency_keys` table: the first answer to each (credential, Idempotency-Key), kept 24
 * hours. A request claims its key with an INSERT that conflicts on the primary key, so of two
 * concurrent duplicates exactly one runs; the other finds the row.
 */
export class IdempotencyRepository {
  constructor(private readonly db: Db) {}

  private map = (row: Row): IdempotencyRecord => ({
    scope: String(row.scope),
    keyHash: String(row.key_hash),
    requestHash: String(row.request_hash),
    pepperId: String(row.pepper_id),
    status: row.status === null || row.status === undefined ? null : num(row.status),
    response: text(row.response),
    createdAt: this.db.date(row.created_at) ?? new Date(0),
  });

  /**
   * Claims the key for this request: true when this request is the first (within the kept window:
   * a row created before `keptSince` is dropped first and the key is free again), false when a row
   * is there. INSERT … ON CONFLICT DO NOTHING RETURNING: a racing insert of the same key returns no
   * row (PostgreSQL waits for the other transaction; SQLite writes one statement at a time).
   */
  async claim(claim: IdempotencyClaim, keptSince: Date, at = new Date()): Promise<boolean> {
    await this.db.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key_hash = $2 AND created_at < $3', [claim.scope, claim.keyHash, keptSince]);
    const rows = await this.db.query(
      'INSERT INTO idempotency_keys (scope, key_hash, request_hash, pepper_id, status, response, created_at) VALUES ($1, $2, $3, $4, NULL, NULL, $5) ON CONFLICT DO NOTHING RETURNING key_hash',
      [claim.scope, claim.keyHash, claim.requestHash, claim.pepperId, at],
    );
    return rows.length === 1;
  }

  /** The row of (scope, key), or null. */
  async find(scope: string, keyHash: string): Promise<IdempotencyRecord | null> {
    const rows = await this.db.query(
      'SELECT scope, key_hash, request_hash, pepper_id, status, response, created_at FROM idempotency_keys WHERE scope = $1 AND key_hash = $2',
      [scope, keyHash],
    );
    return rows[0] ? this.map(rows[0]) : null;
  }

  /** Stores the answer of a claimed key (its status and the encrypted response). */
  async complete(scope: string, keyHash: string, status: number, response: string): Promise<void> {
    await this.db.query('UPDATE idempotency_keys SET status = $1, response = $2 WHERE scope = $3 AND key_hash = $4 AND status IS NULL', [
      status,
      response,
      scope,
      keyHash,
    ]);
  }

  /** Frees a claimed key whose request failed (nothing was done; the same key may be sent again). */
  async release(scope: string, keyHash: string): Promise<void> {
    await this.db.query('DELETE FROM idempotency_keys WHERE scope = $1 AND key_hash = $2 AND status IS NULL', [scope, keyHash]);
  }

  /** Deletes every row created before `before` (the worker's sweep); answers how many. */
  async purgeBefore(before: Date): Promise<number> {
    return changed(this.db, 'DELETE FROM idempotency_keys WHERE created_at < $1', [before]);
  }
}
