import type { Db, SqlParam } from '../db.js';
import { num } from './sql.js';

/** A key's uses on one UTC day, as one instance counted them. */
export interface UsageCount {
  keyId: string;
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  requests: number;
  rejected: number;
}

// 4 parameters a row: far below both drivers' parameter limits.
const CHUNK = 250;

/** The `api_key_usage` table: per key and UTC day, accepted and rejected uses. */
export class UsageRepository {
  constructor(private readonly db: Db) {}

  /**
   * Adds counts to the stored ones in one transaction (`requests = requests + n`), so instances
   * never overwrite each other and a failed batch adds nothing.
   */
  async add(counts: UsageCount[]): Promise<void> {
    if (counts.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < counts.length; i += CHUNK) {
        const values: SqlParam[] = [];
        const tuples = counts.slice(i, i + CHUNK).map((row, j) => {
          values.push(row.keyId, row.day, row.requests, row.rejected);
          return `($${j * 4 + 1}, $${j * 4 + 2}, $${j * 4 + 3}, $${j * 4 + 4})`;
        });
        await this.db.query(
          `INSERT INTO api_key_usage (api_key_id, day, requests, rejected) VALUES ${tuples.join(', ')}
           ON CONFLICT (api_key_id, day) DO UPDATE SET requests = api_key_usage.requests + excluded.requests, rejected = api_key_usage.rejected + excluded.rejected`,
          values,
          tx,
        );
      }
    });
  }

  /** A key's counts from `fromDay` (inclusive, `YYYY-MM-DD`) on, by day. */
  async since(keyId: string, fromDay: string): Promise<Map<string, { requests: number; rejected: number }>> {
    const rows = await this.db.query('SELECT day, requests, rejected FROM api_key_usage WHERE api_key_id = $1 AND day >= $2', [keyId, fromDay]);
    return new Map(rows.map((row) => [String(row.day), { requests: num(row.requests), rejected: num(row.rejected) }]));
  }
}
