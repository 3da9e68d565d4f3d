import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * The answers kept for `Idempotency-Key` (http-api "The API, as integrators expect"): one row per
 * credential and key, claimed by its first request (status still null) and completed with the
 * answer, which is stored encrypted (an answer may carry a new API key). The worker's sweep deletes
 * rows older than 24 hours. A new table: existing rows are untouched.
 */
export class IdempotencyKeys1765080000000 implements MigrationInterface {
  name = 'IdempotencyKeys1765080000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'scope', type: 'varchar', length: '80', isPrimary: true },
          { name: 'key_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'pepper_id', type: 'varchar', length: '32' },
          { name: 'status', type: 'integer', isNullable: true },
          { name: 'response', type: 'text', isNullable: true },
          { name: 'created_at', type: pg ? 'timestamptz' : 'datetime' },
        ],
        indices: [{ name: 'idx_idempotency_keys_created', columnNames: ['created_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
  }
}
