import type { Db, SqlParam } from '../db.js';
import type { Tx } from './sql.js';

/** An effect to claim: its key (e.g. `expiry-<keyId>-<window>`), the key it is about, its kind. */
export interface Effect {
  key: string;
  apiKeyId: string;
  kind: string;
  /** `skipped`: recorded as deliberately not done (a less urgent reminder window). */
  status?: 'done' | 'skipped';
}

const CHUNK = 500;

/**
 * The `lifecycle_effects` ledger: one row per effect done or skipped. A job claims its effect key
 * in the transaction that makes the effect, so a retry, a second worker or a restart finds the row
 * and does nothing.
 */
export class EffectsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Claims an effect key inside `tx`: true the first time, false ever after. PostgreSQL: INSERT …
   * ON CONFLICT DO NOTHING RETURNING (a racing transaction waits on the key, then sees the
   * conflict). SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so the same
   * statement cannot race either.
   */
  async claim(tx: Tx, effect: Effect, at = new Date()): Promise<boolean> {
    const values: SqlParam[] = [effect.key, effect.apiKeyId, effect.kind, effect.status ?? 'done', at];
    const rows = await this.db.query(
      'INSERT INTO lifecycle_effects (effect_key, api_key_id, kind, status, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING effect_key',
      values,
      tx,
    );
    return rows.length === 1;
  }

  /** Which of these effect keys are in the ledger. */
  async claimed(keys: string[]): Promise<Set<string>> {
    const done = new Set<string>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      const rows = await this.db.query(`SELECT effect_key FROM lifecycle_effects WHERE effect_key IN (${chunk.map((_, j) => `$${j + 1}`).join(', ')})`, chunk);
      for (const row of rows) done.add(String(row.effect_key));
    }
    return done;
  }
}
