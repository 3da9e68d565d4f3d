import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * The worker's ledger of effects done (or deliberately skipped): one row per effect key such as
 * `expiry-<keyId>-<window>`. A job claims its key in the transaction that makes its effects, so a
 * retry, a second worker or a restart finds the row and does nothing.
 */
export class LifecycleEffects1764504000000 implements MigrationInterface {
  name = 'LifecycleEffects1764504000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    await queryRunner.createTable(
      new Table({
        name: 'lifecycle_effects',
        columns: [
          { name: 'effect_key', type: 'varchar', length: '200', isPrimary: true },
          { name: 'api_key_id', type: pg ? 'uuid' : 'varchar', length: pg ? undefined : '36' },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'created_at', type: pg ? 'timestamptz' : 'datetime' },
        ],
        foreignKeys: [
          {
            name: 'fk_lifecycle_effects_key',
            columnNames: ['api_key_id'],
            referencedTableName: 'api_keys',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [{ name: 'idx_lifecycle_effects_key', columnNames: ['api_key_id', 'kind'] }],
      }),
    );
    // The outbox query: notifications whose e-mail has not gone yet.
    await queryRunner.query('CREATE INDEX idx_notifications_unsent ON notifications (emailed_at, created_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX idx_notifications_unsent');
    await queryRunner.dropTable('lifecycle_effects');
  }
}
