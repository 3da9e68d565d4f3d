import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { SqliteConnectionOptions } from 'typeorm/driver/sqlite/SqliteConnectionOptions.js';
import { InitialSchema1764417600000 } from './migrations/1764417600000-initial-schema.js';
import { LifecycleEffects1764504000000 } from './migrations/1764504000000-lifecycle-effects.js';
import { Trust1764590400000 } from './migrations/1764590400000-trust.js';
import { KeysV21764676800000 } from './migrations/1764676800000-keys-v2.js';
import { NotificationData1764936000000 } from './migrations/1764936000000-notification-data.js';
import { KeyLineages1765031400000 } from './migrations/1765031400000-key-lineages.js';
import { DevicesAndConfirmations1765044000000 } from './migrations/1765044000000-devices-and-confirmations.js';
import { IdempotencyKeys1765080000000 } from './migrations/1765080000000-idempotency-keys.js';
import { PG_TIMEOUTS, isDatabaseUnavailable } from './availability.js';
import { Db } from './db.js';

/**
 * sqlite3 as TypeORM gets it. TypeORM always calls `driver.verbose()`, and sqlite3's verbose mode
 * patches every statement method to capture a stack trace: a large share of a key check's CPU.
 * This view of the module answers `verbose()` with the plain module.
 */
const QUIET_SQLITE3 = Object.assign(Object.create(sqlite3) as typeof sqlite3, { verbose: () => sqlite3 });

/** Every migration, oldest first. */
export const MIGRATIONS = [
  InitialSchema1764417600000,
  LifecycleEffects1764504000000,
  Trust1764590400000,
  KeysV21764676800000,
  NotificationData1764936000000,
  KeyLineages1765031400000,
  DevicesAndConfirmations1765044000000,
  IdempotencyKeys1765080000000,
];

/** A parsed `DATABASE_URL`. */
export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Parses `sqlite:<path>` or `postgres://…` (also `postgresql://…`); throws with a readable reason. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error('sqlite: needs a file path, e.g. sqlite:./data/tradetally.sqlite');
    return { kind: 'sqlite', path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    new URL(url); // throws on a malformed address
    return { kind: 'postgres', url };
  }
  throw new Error('must start with sqlite: or postgres://');
}

/** Options for a pool of `poolSize` connections to the target. `synchronize` is never on. */
export function dataSourceOptions(target: DatabaseTarget, poolSize = 10): DataSourceOptions {
  // No entities: all SQL is raw, in the repositories (repositories/*.repository.ts).
  const common = { migrations: MIGRATIONS, synchronize: false, migrationsRun: false, logging: false } as const;
  if (target.kind === 'postgres') {
    return { ...common, type: 'postgres', url: target.url, poolSize, extra: { max: poolSize, ...PG_TIMEOUTS } };
  }
  // WAL lets readers go on while one process writes; busy_timeout makes concurrent writers from
  // several API and worker processes wait for each other instead of failing with SQLITE_BUSY.
  return { ...common, type: 'sqlite', driver: QUIET_SQLITE3, database: target.path, enableWAL: true, busyTimeout: 10_000 };
}

/** Opens a DataSource for `DATABASE_URL` (creating the SQLite file's folder) and runs pending migrations. */
export async function openDatabase(url: string, options: { poolSize?: number; migrate?: boolean } = {}): Promise<DataSource> {
  const target = parseDatabaseUrl(url);
  if (target.kind === 'sqlite' && target.path !== ':memory:') mkdirSync(dirname(resolve(target.path)), { recursive: true });
  const dataSource = new DataSource(dataSourceOptions(target, options.poolSize));
  await dataSource.initialize();
  if (target.kind === 'sqlite') await dataSource.query('PRAGMA busy_timeout = 10000');
  if (options.migrate !== false) {
    // Closed on failure, so that a caller retrying (openDbWhenReachable) leaves no pool behind.
    await migrate(dataSource).catch(async (error: unknown) => {
      await dataSource.destroy().catch(() => undefined);
      throw error;
    });
  }
  return dataSource;
}

// Any constant shared by every process of this project: the advisory lock that serialises migrations.
const MIGRATION_LOCK = 7_346_284_011;
/** How long a starting process waits for another one's migrations before it gives up. */
const MIGRATION_WAIT_MS = 120_000;

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Runs pending migrations once even when several API and worker processes start together.
 *
 * PostgreSQL: an advisory lock held on one dedicated connection, polled with pg_try_advisory_lock;
 * the lock holder runs every pending migration in one transaction, and the next holder finds
 * nothing left to do. Both run on a pool of their own without PG_TIMEOUTS: a migration on a large
 * table may take longer than a request's query ever should, and so may the wait for the lock.
 * SQLite: the migrations' transaction takes the write lock; a process that lost the race sees
 * SQLITE_BUSY (or the table its winner made) and retries until nothing is pending.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const deadline = Date.now() + MIGRATION_WAIT_MS;
  if (dataSource.options.type === 'postgres') {
    const migrator = new DataSource({ ...dataSource.options, poolSize: 2, extra: { max: 2, keepAlive: true } });
    await migrator.initialize();
    const lock = migrator.createQueryRunner();
    try {
      await lock.connect();
      for (;;) {
        const [row] = (await lock.query('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK])) as Array<{ locked: boolean }>;
        if (row?.locked) break;
        if (Date.now() > deadline) throw new Error(`another process has held the migration lock for ${MIGRATION_WAIT_MS / 1000} s`);
        await pause(100 + Math.random() * 100);
      }
      try {
        return (await migrator.runMigrations({ transaction: 'all' })).map((m) => m.name);
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      }
    } finally {
      await lock.release();
      await migrator.destroy();
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return (await dataSource.runMigrations({ transaction: 'all' })).map((m) => m.name);
    } catch (error) {
      if (Date.now() > deadline || attempt >= 50) throw error;
      await pause(Math.min(100 * attempt, 1000) + Math.random() * 100);
    }
  }
}

/** The migrations this build knows that the database has not recorded yet (empty = schema current). */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const known = MIGRATIONS.map((Migration) => new Migration().name ?? Migration.name);
  const rows = (await dataSource.query('SELECT name FROM migrations')) as Array<{ name: string }>;
  const done = new Set(rows.map((row) => row.name));
  return known.filter((name) => !done.has(name));
}

/** Opens the database as a Db (see db.ts): migrated, with a read-only and a writer connection on SQLite. */
export async function openDb(url: string, options: { poolSize?: number; migrate?: boolean } = {}): Promise<Db> {
  const target = parseDatabaseUrl(url);
  if (target.kind === 'postgres') return new Db(await openDatabase(url, options), null);
  // The writer opens first: it creates the file, turns WAL on and runs the migrations.
  const writer = await openDatabase(url, options);
  if (target.path === ':memory:') return new Db(writer, writer);
  const sqliteOptions = dataSourceOptions(target) as SqliteConnectionOptions;
  const reader = new DataSource({ ...sqliteOptions, flags: sqlite3.OPEN_READONLY | sqlite3.OPEN_FULLMUTEX });
  try {
    await reader.initialize();
  } catch (error) {
    await writer.destroy();
    throw error;
  }
  return new Db(reader, writer);
}

/**
 * openDb for a process starting while the database does not answer yet (a fleet starting before
 * PostgreSQL, or during an outage): it retries every 1-5 s for as long as the process runs, and
 * reports the first failure and the recovery through `log`. Anything else (a bad address, a failed
 * migration) throws at once.
 */
export async function openDbWhenReachable(url: string, log: (message: string) => void, options: { poolSize?: number } = {}): Promise<Db> {
  for (let attempt = 1; ; attempt++) {
    try {
      const db = await openDb(url, options);
      if (attempt > 1) log(`the database answers again: starting (after ${attempt - 1} failed attempt(s))`);
      return db;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      if (attempt === 1) log(`the database does not answer (${(error as Error).message}): waiting for it`);
      await pause(Math.min(1000 * attempt, 5000));
    }
  }
}
