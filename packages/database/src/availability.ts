/**
 * How long the PostgreSQL pool waits, so that a database that does not answer turns into a quick
 * error (the API's 503 within 5 s, http-api.md) instead of a request that hangs:
 * - `connectionTimeoutMillis` bounds both opening a connection and waiting for a free one;
 * - `query_timeout` bounds a query whose connection went silent (packets dropped, not refused);
 * - `statement_timeout` lets the server cancel a statement that would outlive the client's wait.
 */
export const PG_TIMEOUTS = {
  connectionTimeoutMillis: 2_000,
  query_timeout: 4_000,
  statement_timeout: 3_500,
  keepAlive: true,
} as const;

/**
 * Socket errors of a connection that failed or broke, and SQLite's "the write lock was not free in
 * time" (SQLITE_BUSY: the statement did nothing, db.ts bounds the wait).
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'SQLITE_BUSY']);

/**
 * PostgreSQL SQLSTATEs that mean "not now" rather than "wrong request": connection exceptions
 * (class 08), the server shutting down or starting (57P01-57P03), too many connections (53300),
 * and a statement cancelled by statement_timeout (57014).
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** What node-postgres and pg-pool say when a connection drops or never comes; they set no code. */
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Connection terminated due to connection timeout|Client has encountered a connection error|connection is not open|Cannot use a pool after calling end/i;

/**
 * True when `error` says the database could not be reached, did not answer in time or was too busy to write (as opposed
 * to a query the database refused). Looks through TypeORM's `driverError` and `cause` wrappers.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, message, driverError, cause } = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    current = driverError ?? cause;
  }
  return false;
}
