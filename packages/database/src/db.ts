import { AsyncLocalStorage } from 'node:async_hooks';
import { type DataSource, type EntityManager } from 'typeorm';

/** A Date as TypeORM writes it to SQLite: UTC `YYYY-MM-DD HH:MM:SS.SSS`, which sorts as time does. */
export function sqliteTime(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** The parts of a sqlite3 prepared statement this class uses. */
interface SqliteStatement {
  all(params: unknown[], callback: (error: Error | null, rows: unknown[]) => void): void;
  finalize(): void;
}

/** The parts of a sqlite3 connection this class uses. */
interface SqliteConnection {
  prepare(sql: string, callback: (error: Error | null) => void): SqliteStatement;
  configure(option: 'busyTimeout', value: number): void;
}

/** A value a raw query can bind. Dates are converted per driver. */
export type SqlParam = string | number | boolean | null | Date;

/**
 * How long a write of this process may wait for SQLite's write lock, queue included, before it
 * gives up with SQLITE_BUSY (nothing written; the API answers 503 with Retry-After). Another
 * process (the worker, a second API) holds the lock for milliseconds at a time: two seconds is a
 * database that is stuck, not busy.
 */
export const SQLITE_WRITE_WAIT_MS = 2_000;

/** The error of a write that could not get SQLite's write lock in time: nothing was written. */
export class DatabaseBusyError extends Error {
  readonly code = 'SQLITE_BUSY';
  constructor(waitedMs: number) {
    super(`SQLITE_BUSY: the database's write lock was not free within ${waitedMs} ms; nothing was written`);
  }
}

/** Prepared statements of one sqlite3 connection, by SQL text (the hot queries are a handful of constants). */
class PreparedStatements {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly connection: SqliteConnection) {}

  all<T>(sql: string, values: unknown[]): Promise<T[]> {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= 256) this.clear();
      // A statement that fails to prepare reports to its callers; it must not stay cached.
      statement = this.connection.prepare(sql, (error) => error && this.statements.delete(sql));
      this.statements.set(sql, statement);
    }
    const prepared = statement;
    return new Promise((resolve, reject) => prepared.all(values, (error, rows) => (error ? reject(error) : resolve(rows as T[]))));
  }

  clear(): void {
    for (const statement of this.statements.values()) statement.finalize();
    this.statements.clear();
  }
}

/** The sqlite3 connection under a TypeORM DataSource. */
const connectionOf = (dataSource: DataSource) => (dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;

/** A statement that only reads (runs on SQLite's read connection); anything else is a write. */
const READ_ONLY = /^\s*(SELECT|PRAGMA\s+\w+\s*;?\s*$)/i;

/**
 * The database as the API and the worker use it.
 *
 * SQLite (a file): two connections per process. Reads run on a read-only connection; every write
 * (a transaction, or a single statement) runs on one writer connection, one at a time, in the
 * order asked (a queue in this class). So no statement of this process ever waits on SQLite's lock
 * for another connection of the same process: with WAL, reads never wait on a writer, and the
 * writer waits only for other processes (the worker, another API), for at most
 * `SQLITE_WRITE_WAIT_MS`, queue included. (Two connections that both wrote used to deadlock: a
 * statement of one waited out its 10 s busy timeout for the lock held by the other, whose COMMIT
 * could not run because the blocked statement held its connection's mutex and the threads of
 * libuv's pool were all taken by statements queued behind it: 10-second stalls under a mixed load.)
 * The read connection is opened read-only, so a write that bypasses this class fails at once
 * instead of bringing the deadlock back.
 * Transactions open with `BEGIN IMMEDIATE`, so they take the lock before their first statement and
 * never fail half-way for want of it.
 *
 * PostgreSQL: the pool, as usual (READ COMMITTED; code that needs exclusivity uses conditional
 * updates, which re-check their WHERE under the row lock).
 */
export class Db {
  private tail: Promise<unknown> = Promise.resolve();
  /** Set while a SQLite writer unit runs, so a nested write fails loudly instead of queueing behind itself. */
  private readonly writing = new AsyncLocalStorage<true>();
  private readonly reads: PreparedStatements | null;
  private readonly writes: PreparedStatements | null;
  /** `$n` placeholders rewritten for SQLite, by original SQL (the hot queries are a handful of constants). */
  private readonly sqliteText = new Map<string, string>();

  constructor(
    readonly dataSource: DataSource,
    private readonly writer: DataSource | null,
  ) {
    const sqlite = dataSource.options.type !== 'postgres';
    this.reads = sqlite ? new PreparedStatements(connectionOf(dataSource)) : null;
    this.writes = sqlite && writer ? (writer === dataSource ? this.reads : new PreparedStatements(connectionOf(writer))) : null;
  }

  /** `sqlite` or `postgres`. */
  get kind(): 'sqlite' | 'postgres' {
    return this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  /** The manager for reads (on SQLite, the read-only connection: write with `write` or `transaction`). */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /**
   * Runs `work` in one transaction and returns its result; any throw rolls everything back.
   * Inside, use insert/update/delete or query builders, not `save` (which opens its own transaction).
   */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.writer) return this.dataSource.transaction(work);
    const writer = this.writer;
    return this.serialized(async () => {
      const runner = writer.createQueryRunner();
      await runner.query('BEGIN IMMEDIATE');
      try {
        const result = await work(runner.manager);
        await runner.query('COMMIT');
        return result;
      } catch (error) {
        await runner.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * Runs single-statement writes outside a transaction (an insert, a conditional update): on
   * SQLite on the writer connection, in its queue; on PostgreSQL on the pool, with no BEGIN/COMMIT.
   */
  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.writer) return work(this.dataSource.manager);
    const manager = this.writer.manager;
    return this.serialized(() => work(manager));
  }

  /**
   * A raw query written with `$1, $2…` placeholders (rewritten to `?1, ?2…` for SQLite). Outside a
   * transaction it skips TypeORM's query runner: on SQLite it runs a cached prepared statement
   * (reads on the read connection, writes in the writer's queue), on PostgreSQL it goes straight to
   * the pg pool. That halves the main thread's cost of the queries every request makes (key and
   * session checks, lists, health).
   */
  query<T = Record<string, unknown>>(sql: string, params: SqlParam[] = [], manager?: EntityManager): Promise<T[]> {
    if (this.kind === 'postgres') {
      // The structured result: TypeORM answers an UPDATE or DELETE as [rows, count] otherwise.
      // Outside a transaction (no runner), the pool answers RETURNING rows as they are.
      if (manager?.queryRunner) return manager.queryRunner.query(sql, params, true).then((result: { records: T[] }) => result.records);
      const pool = (this.dataSource.driver as unknown as { master: { query(text: string, values: unknown[]): Promise<{ rows: T[] }> } }).master;
      return pool.query(sql, params).then((result) => result.rows);
    }
    let text = this.sqliteText.get(sql);
    if (text === undefined) {
      text = sql.replace(/\$(\d+)/g, '?$1');
      if (this.sqliteText.size < 1024) this.sqliteText.set(sql, text);
    }
    const values = params.map((p) => (p instanceof Date ? sqliteTime(p) : typeof p === 'boolean' ? Number(p) : p));
    // Inside a transaction (a manager given), the writer connection is this unit's alone: its
    // prepared statements run there directly (TypeORM's runner would drop RETURNING rows).
    if (manager) return (this.writes ?? this.reads!).all<T>(text, values);
    const statementText = text;
    if (READ_ONLY.test(statementText) || !this.writes) return this.reads!.all<T>(statementText, values);
    const writes = this.writes;
    return this.serialized(() => writes.all<T>(statementText, values));
  }

  /**
   * Runs `unit` on the SQLite writer after every unit asked before it. A unit whose turn comes after
   * `SQLITE_WRITE_WAIT_MS` fails with DatabaseBusyError without running; otherwise the connection's
   * busy timeout is what is left of that budget, so a write never waits longer for the lock.
   */
  private serialized<T>(unit: () => Promise<T>): Promise<T> {
    if (this.writing.getStore()) {
      return Promise.reject(new Error("a write inside a transaction must use the transaction's manager (it would wait for itself)"));
    }
    const queuedAt = performance.now();
    const connection = connectionOf(this.writer!);
    const run = (): Promise<T> => {
      const left = Math.floor(SQLITE_WRITE_WAIT_MS - (performance.now() - queuedAt));
      if (left <= 0) return Promise.reject(new DatabaseBusyError(SQLITE_WRITE_WAIT_MS));
      connection.configure('busyTimeout', left);
      return this.writing.run(true, unit);
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** A timestamp read by a raw query as a Date (SQLite returns UTC text, PostgreSQL a Date). */
  date(value: unknown): Date | null {
    if (value === null || value === undefined) return null;
    if (value instanceof Date) return value;
    const text = String(value);
    return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  }

  /** The number of rows an UPDATE or DELETE run through a query builder affected, on either driver. */
  static affected(result: { affected?: number | null }): number {
    return result.affected ?? 0;
  }

  /** Closes every connection, after the writes already asked for. */
  async close(): Promise<void> {
    await this.tail;
    this.reads?.clear();
    if (this.writes !== this.reads) this.writes?.clear();
    if (this.writer?.isInitialized && this.writer !== this.dataSource) await this.writer.destroy();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
