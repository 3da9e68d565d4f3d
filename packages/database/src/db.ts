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
}

/** A value a raw query can bind. Dates are converted per driver. */
export type SqlParam = string | number | boolean | null | Date;

/**
 * The database as the API and the worker use it.
 *
 * Why not the DataSource alone: TypeORM's sqlite driver runs everything on one shared connection,
 * so two concurrent transactions would interleave their statements. Here SQLite transactions run
 * on a second, dedicated connection, one at a time per process, opened with `BEGIN IMMEDIATE` so
 * that transactions of other processes wait on SQLite's write lock (busy_timeout) instead of
 * failing half-way. PostgreSQL transactions use the pool as usual (READ COMMITTED; the code that
 * needs exclusivity uses conditional updates, which re-check their WHERE under the row lock).
 */
export class Db {
  private tail: Promise<unknown> = Promise.resolve();
  /** Prepared statements of the hot queries (SQLite), by SQL text. */
  private readonly statements = new Map<string, SqliteStatement>();
  /** `$n` placeholders rewritten for SQLite, by original SQL (the hot queries are a handful of constants). */
  private readonly sqliteText = new Map<string, string>();

  constructor(
    readonly dataSource: DataSource,
    private readonly writer: DataSource | null,
  ) {}

  /** `sqlite` or `postgres`. */
  get kind(): 'sqlite' | 'postgres' {
    return this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  /** The manager for reads and single-statement writes. */
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
    const run = async (): Promise<T> => {
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
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * A raw query written with `$1, $2…` placeholders (rewritten to `?1, ?2…` for SQLite). Outside a
   * transaction it skips TypeORM's query runner: on SQLite it runs a cached prepared statement on
   * the driver's connection, on PostgreSQL it goes straight to the pg pool. That halves the main
   * thread's cost of the queries every request makes (key and session checks, lists, health).
   */
  query<T = Record<string, unknown>>(sql: string, params: SqlParam[] = [], manager?: EntityManager): Promise<T[]> {
    if (this.kind === 'postgres') {
      if (manager) return manager.query(sql, params);
      const pool = (this.dataSource.driver as unknown as { master: { query(text: string, values: unknown[]): Promise<{ rows: T[] }> } }).master;
      return pool.query(sql, params).then((result) => result.rows);
    }
    let text = this.sqliteText.get(sql);
    if (text === undefined) {
      text = sql.replace(/\$(\d+)/g, '?$1');
      if (this.sqliteText.size < 1024) this.sqliteText.set(sql, text);
    }
    const values = params.map((p) => (p instanceof Date ? sqliteTime(p) : typeof p === 'boolean' ? Number(p) : p));
    if (manager) return manager.query(text, values);
    return this.sqliteAll<T>(text, values);
  }

  private sqliteAll<T>(sql: string, values: unknown[]): Promise<T[]> {
    let statement = this.statements.get(sql);
    if (!statement) {
      const connection = (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
      if (this.statements.size >= 256) this.dropStatements();
      // A statement that fails to prepare reports to its callers; it must not stay cached.
      statement = connection.prepare(sql, (error) => error && this.statements.delete(sql));
      this.statements.set(sql, statement);
    }
    const prepared = statement;
    return new Promise((resolve, reject) => prepared.all(values, (error, rows) => (error ? reject(error) : resolve(rows as T[]))));
  }

  private dropStatements(): void {
    for (const statement of this.statements.values()) statement.finalize();
    this.statements.clear();
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

  /** Closes every connection. */
  async close(): Promise<void> {
    this.dropStatements();
    if (this.writer?.isInitialized) await this.writer.destroy();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * Claims an effect key inside the caller's transaction: true the first time, false ever after.
 * PostgreSQL: INSERT … ON CONFLICT DO NOTHING RETURNING (a racing transaction waits on the key,
 * then sees the conflict). SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so
 * check-then-insert cannot race.
 */
export async function claimEffect(
  db: Db,
  manager: EntityManager,
  effect: { key: string; apiKeyId: string; kind: string; status?: 'done' | 'skipped' },
): Promise<boolean> {
  const values: SqlParam[] = [effect.key, effect.apiKeyId, effect.kind, effect.status ?? 'done', new Date()];
  if (db.kind === 'postgres') {
    const rows = await db.query(
      'INSERT INTO lifecycle_effects (effect_key, api_key_id, kind, status, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING effect_key',
      values,
      manager,
    );
    return rows.length === 1;
  }
  const found = await db.query('SELECT 1 AS one FROM lifecycle_effects WHERE effect_key = $1', [effect.key], manager);
  if (found.length > 0) return false;
  await db.query('INSERT INTO lifecycle_effects (effect_key, api_key_id, kind, status, created_at) VALUES ($1, $2, $3, $4, $5)', values, manager);
  return true;
}
