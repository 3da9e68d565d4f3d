import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * API keys, version 2 (http-api.md): canary and self-rotating keys, allowed addresses, where a key
 * was last used, the pepper each hash was made with (operations.md "Pepper rotation"), and the
 * per-day usage counts the API rolls up (no write per request).
 */
export class KeysV21764676800000 implements MigrationInterface {
  name = 'KeysV21764676800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    await queryRunner.addColumns('api_keys', [
      new TableColumn({ name: 'canary', type: 'boolean', default: false }),
      new TableColumn({ name: 'self_rotate', type: 'boolean', default: false }),
      // True on a successor made by its predecessor's self-rotation: a leak of the predecessor revokes it too.
      new TableColumn({ name: 'made_by_self_rotation', type: 'boolean', default: false }),
      new TableColumn({ name: 'allowed_ips', type: 'text', isNullable: true }),
      new TableColumn({ name: 'last_used_ip', type: 'varchar', length: '45', isNullable: true }),
      new TableColumn({ name: 'last_used_user_agent', type: 'varchar', length: '200', isNullable: true }),
      // Hashes before pepper ids were made with the one pepper, which counts as id "1".
      new TableColumn({ name: 'pepper_id', type: 'varchar', length: '32', default: "'1'" }),
    ]);
    await queryRunner.query('CREATE INDEX idx_api_keys_rotated_from ON api_keys (rotated_from_id)');
    await queryRunner.createTable(
      new Table({
        name: 'api_key_usage',
        columns: [
          { name: 'api_key_id', type: pg ? 'uuid' : 'varchar', length: pg ? undefined : '36', isPrimary: true },
          { name: 'day', type: 'varchar', length: '10', isPrimary: true },
          { name: 'requests', type: 'bigint', default: 0 },
          { name: 'rejected', type: 'bigint', default: 0 },
        ],
        foreignKeys: [
          { name: 'fk_api_key_usage_key', columnNames: ['api_key_id'], referencedTableName: 'api_keys', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_key_usage');
    await queryRunner.query('DROP INDEX idx_api_keys_rotated_from');
    await queryRunner.dropColumns('api_keys', [
      'pepper_id',
      'last_used_user_agent',
      'last_used_ip',
      'allowed_ips',
      'made_by_self_rotation',
      'self_rotate',
      'canary',
    ]);
  }
}
