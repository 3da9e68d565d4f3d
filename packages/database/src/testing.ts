import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDb } from './data-source.js';
import type { Db } from './db.js';
import { type ApiKeyRecord, type Repositories, repositoriesOn } from './repositories/index.js';

export { type ConfigurationDrift, type DocumentedVariable, configurationDrift, documentedVariables, schemaDefault } from './configuration-docs.js';

/**
 * A stored key with every field set (active, never used, not a canary, its own lineage), for
 * repository doubles and rows a test inserts; `fields` override the defaults.
 */
export function apiKeyRecord(fields: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const id = fields.id ?? randomUUID();
  return {
    id,
    userId: randomUUID(),
    name: 'key',
    scope: 'read',
    environment: 'live',
    prefix: 'tt_live_abcd',
    last4: 'wxyz',
    keyHash: `hash-${id}`,
    pepperId: '1',
    createdAt: new Date(),
    expiresAt: null,
    lastUsedAt: null,
    lastUsedIp: null,
    lastUsedUserAgent: null,
    revokedAt: null,
    revokeReason: null,
    rotatedFromId: null,
    rotatedToId: null,
    graceEndsAt: null,
    canary: false,
    selfRotate: false,
    madeBySelfRotation: false,
    lineageId: id,
    allowedIps: null,
    ...fields,
  };
}

/** The PostgreSQL server tests may create databases on. */
export const PG_ADMIN_URL = process.env.PG_TEST_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

/** True when PostgreSQL answers at PG_ADMIN_URL. */
export async function pgAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The database kinds every integration suite runs on: SQLite always, PostgreSQL whenever it
 * answers. In CI (CI=true) PostgreSQL must answer: a suite that quietly ran on SQLite only would
 * pass without checking what production runs on, so it fails instead.
 */
export async function databaseKinds(): Promise<Array<'sqlite' | 'postgres'>> {
  return (await postgresForTests()) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/**
 * True when PostgreSQL answers; false outside CI when it does not (suites that need it skip). In
 * CI (CI=true) it throws instead, so a missing PostgreSQL fails the run rather than skipping.
 */
export async function postgresForTests(): Promise<boolean> {
  if (await pgAnswers()) return true;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    const where = new URL(PG_ADMIN_URL);
    if (where.password) where.password = '***';
    throw new Error(`CI=${process.env.CI} and PostgreSQL does not answer at ${where.toString()} (PG_TEST_URL): start it, or unset CI to run on SQLite only`);
  }
  return false;
}

/** A database made for one test file, removed afterwards. */
export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  url: string;
  /** SQLite: the database file, for tests that read the bytes on disk. */
  file?: string;
  drop(): Promise<void>;
}

/** A fresh SQLite file in a temporary folder, or a fresh PostgreSQL database. */
export async function createTestDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const name = `tt_test_${randomBytes(6).toString('hex')}`;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tt-db-'));
    const file = join(dir, `${name}.sqlite`);
    return { kind, url: `sqlite:${file}`, file, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Every repository on a fresh database of one kind, for medium specs. */
export interface TestRepositories extends Repositories {
  db: Db;
  /** A fresh user row; resolves to its id. */
  user(email?: string): Promise<string>;
  /** Closes the database and drops it. */
  close(): Promise<void>;
}

/** Opens a fresh database of `kind` (migrated) and builds every repository on it. */
export async function openTestRepositories(kind: 'sqlite' | 'postgres'): Promise<TestRepositories> {
  const database = await createTestDatabase(kind);
  const db = await openDb(database.url);
  const repositories = repositoriesOn(db);
  const { users } = repositories;
  return {
    db,
    ...repositories,
    async user(email = `u-${randomBytes(5).toString('hex')}@example.com`) {
      const id = randomUUID();
      await users.insert({ id, email, passwordHash: 'x', createdAt: new Date(), emailVerifiedAt: null, emailTokenHash: null, emailTokenExpiresAt: null });
      return id;
    },
    async close() {
      await db.close();
      await database.drop();
    },
  };
}
