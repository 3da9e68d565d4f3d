import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { PG_TIMEOUTS } from './availability.js';
import { dataSourceOptions, migrate } from './data-source.js';
import { type TestDatabase, createTestDatabase, postgresForTests } from './testing.js';

/** A migration that outlasts the request pool's statement and query timeouts. */
class SlowMigration1700000000000 implements MigrationInterface {
  name = 'SlowMigration1700000000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_sleep(${(PG_TIMEOUTS.query_timeout + 1000) / 1000})`);
  }
  async down(): Promise<void> {}
}

describe.skipIf(!(await postgresForTests()))('migrate on PostgreSQL', () => {
  let database: TestDatabase | undefined;

  afterAll(async () => {
    await database?.drop();
  });

  it('runs a migration longer than the request timeouts, on a pool of its own', async () => {
    database = await createTestDatabase('postgres');
    const dataSource = new DataSource({ ...dataSourceOptions({ kind: 'postgres', url: database.url }, 2), migrations: [SlowMigration1700000000000] });
    await dataSource.initialize();
    try {
      // The request pool itself gives up on such a statement…
      await expect(dataSource.query(`SELECT pg_sleep(${(PG_TIMEOUTS.query_timeout + 1000) / 1000})`)).rejects.toThrow();
      // …the migrations do not.
      expect(await migrate(dataSource)).toEqual(['SlowMigration1700000000000']);
      expect(await migrate(dataSource)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
