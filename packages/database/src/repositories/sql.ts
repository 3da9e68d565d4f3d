import type { EntityManager } from 'typeorm';
import type { Db, SqlParam } from '../db.js';

/**
 * How repositories talk to the database: raw SQL with `$1, $2…` placeholders through `Db.query`
 * (prepared statements on SQLite, the pg pool on PostgreSQL), and one mapper per table that decodes
 * a row once (dates, booleans, numbers, JSON) into a record with camelCase fields. Raw SQL rather
 * than TypeORM's builder: the key check's queries cost half as much this way (db.ts), and one style
 * for every table keeps each repository a copy of the last.
 */

/** A transaction's handle: pass it to repository methods that must join the transaction. */
export type Tx = EntityManager;

/** A row as a driver returns it. */
export type Row = Record<string, unknown>;

/** A position in a list sorted by (time desc, id desc). */
export interface Cursor {
  at: Date;
  id: string;
}

/** SQLite stores booleans as 0/1. */
export const bool = (value: unknown): boolean => value === true || value === 1 || value === '1';

/** PostgreSQL returns bigint counts and some numerics as strings. */
export const num = (value: unknown): number => Number(value ?? 0);

/** Nullable text. */
export const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** A JSON column (text on both drivers). */
export function json<T>(value: unknown): T | null {
  return value === null || value === undefined ? null : (JSON.parse(String(value)) as T);
}

/** `INSERT INTO table (cols) VALUES ($1…)` for one row, the columns in the row's key order. */
export async function insertRow(db: Db, table: string, row: Record<string, SqlParam>, tx?: Tx): Promise<void> {
  const columns = Object.keys(row);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`;
  await db.query(sql, Object.values(row), tx);
}

/** `SET a = $n, b = $n+1` for the given columns, numbering from `first`; with the values in order. */
export function setClause(changes: Record<string, SqlParam>, first: number): { sql: string; values: SqlParam[] } {
  const columns = Object.keys(changes);
  return { sql: columns.map((column, i) => `${column} = $${first + i}`).join(', '), values: Object.values(changes) };
}

/**
 * Runs an UPDATE or DELETE and tells how many rows it changed, on either driver: PostgreSQL answers
 * the rows of `RETURNING 1`; SQLite's `changes()` would need a second statement on the same
 * connection, so SQLite uses `RETURNING 1` too (3.35+).
 */
export async function changed(db: Db, sql: string, values: SqlParam[], tx?: Tx): Promise<number> {
  return (await db.query(`${sql} RETURNING 1 AS one`, values, tx)).length;
}

/**
 * The keyset condition and order of a newest-first page by (`timeColumn`, id): rows after `cursor`,
 * `limit + 1` of them (the extra one tells whether there is a next page).
 */
export function pageClause(timeColumn: string, cursor: Cursor | null, limit: number, params: SqlParam[]): { where: string; tail: string } {
  let where = '';
  if (cursor) {
    const at = params.push(cursor.at);
    const id = params.push(cursor.id);
    where = ` AND (${timeColumn} < $${at} OR (${timeColumn} = $${at} AND id < $${id}))`;
  }
  return { where, tail: ` ORDER BY ${timeColumn} DESC, id DESC LIMIT ${Math.floor(limit) + 1}` };
}

/** True for a unique-constraint violation on either driver (PostgreSQL 23505, SQLite's UNIQUE). */
export function isUniqueViolation(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, message, driverError } = current as { code?: unknown; message?: unknown; driverError?: unknown };
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') return true;
    if (typeof message === 'string' && /UNIQUE constraint failed|duplicate key value/.test(message)) return true;
    current = driverError;
  }
  return false;
}
