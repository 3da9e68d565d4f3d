import { ApiError } from './api-error.js';

/** A position in a list sorted by (time desc, id desc). */
export interface Cursor {
  at: Date;
  id: string;
}

/** An opaque cursor for the row after which the next page starts. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`, 'utf8').toString('base64url');
}

/** Reads a cursor; a malformed one is a 400 validation_failed. */
export function decodeCursor(cursor: string | undefined): Cursor | null {
  if (cursor === undefined) return null;
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = iso ? new Date(iso) : new Date(Number.NaN);
  if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new ApiError('validation_failed', 'The cursor is not valid.', [{ path: 'cursor', message: 'not a cursor from this list' }]);
  }
  return { at, id };
}

/** Cuts `limit + 1` fetched rows to a page and its next cursor. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, key: (row: R) => Cursor): { data: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  const next = more && last ? key(last) : null;
  return { data: pageRows.map(map), nextCursor: next ? encodeCursor(next.at, next.id) : null };
}
