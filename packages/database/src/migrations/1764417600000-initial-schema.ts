import { type MigrationInterface, type QueryRunner, Table, TableIndex, type TableColumnOptions } from 'typeorm';

/**
 * The first schema. One migration serves SQLite and PostgreSQL: column types are picked per driver
 * (PostgreSQL gets `uuid` and `timestamptz`; SQLite stores UTC datetime text, which sorts correctly).
 */
export class InitialSchema1764417600000 implements MigrationInterface {
  name = 'InitialSchema1764417600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    const id = (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: pg ? 'uuid' : 'varchar',
      length: pg ? undefined : '36',
      isNullable: nullable,
    });
    const time = (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: pg ? 'timestamptz' : 'datetime',
      isNullable: nullable,
    });
    const text = (name: string, length: number | null, nullable = false): TableColumnOptions => ({
      name,
      type: length === null ? 'text' : 'varchar',
      length: length === null ? undefined : String(length),
      isNullable: nullable,
    });
    const number = (name: string): TableColumnOptions => ({ name, type: pg ? 'double precision' : 'real' });
    const pk = (column: TableColumnOptions): TableColumnOptions => ({ ...column, isPrimary: true });
    const owner = (table: string) => ({
      name: `fk_${table}_user`,
      columnNames: ['user_id'],
      referencedTableName: 'users',
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    });

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [pk(id('id')), text('email', 254), text('password_hash', 200), time('created_at')],
        uniques: [{ name: 'uq_users_email', columnNames: ['email'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [pk(id('id')), id('user_id'), text('token_hash', 64), time('created_at'), time('expires_at')],
        uniques: [{ name: 'uq_sessions_token_hash', columnNames: ['token_hash'] }],
        foreignKeys: [owner('sessions')],
        indices: [{ name: 'idx_sessions_user', columnNames: ['user_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          pk(id('id')),
          id('user_id'),
          text('name', 100),
          text('scope', 16),
          text('environment', 8),
          text('prefix', 16),
          text('last4', 4),
          text('key_hash', 64),
          time('created_at'),
          time('expires_at', true),
          time('last_used_at', true),
          time('revoked_at', true),
          text('revoke_reason', 16, true),
          id('rotated_from_id', true),
          id('rotated_to_id', true),
          time('grace_ends_at', true),
        ],
        // The unique index on key_hash is the one lookup every key check makes.
        uniques: [{ name: 'uq_api_keys_key_hash', columnNames: ['key_hash'] }],
        foreignKeys: [owner('api_keys')],
        indices: [
          { name: 'idx_api_keys_user_created', columnNames: ['user_id', 'created_at'] },
          { name: 'idx_api_keys_expires', columnNames: ['expires_at'] },
          { name: 'idx_api_keys_grace_ends', columnNames: ['grace_ends_at'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'trades',
        columns: [
          pk(id('id')),
          id('user_id'),
          text('symbol', 32),
          text('side', 4),
          number('quantity'),
          number('price'),
          number('fees'),
          time('executed_at'),
          text('notes', null, true),
          text('external_id', 200, true),
          time('created_at'),
        ],
        foreignKeys: [owner('trades')],
        indices: [
          { name: 'idx_trades_user_executed', columnNames: ['user_id', 'executed_at', 'id'] },
          { name: 'idx_trades_user_symbol_executed', columnNames: ['user_id', 'symbol', 'executed_at'] },
        ],
      }),
    );
    // NULL external ids never collide (both databases treat NULLs as distinct in a unique index).
    await queryRunner.createIndex('trades', new TableIndex({ name: 'uq_trades_user_external', columnNames: ['user_id', 'external_id'], isUnique: true }));
    await queryRunner.createTable(
      new Table({
        name: 'notifications',
        columns: [
          pk(id('id')),
          id('user_id'),
          id('api_key_id', true),
          text('type', 32),
          text('title', 200),
          text('body', null),
          time('created_at'),
          time('read_at', true),
          time('emailed_at', true),
          text('dedupe_key', 200, true),
        ],
        uniques: [{ name: 'uq_notifications_dedupe', columnNames: ['dedupe_key'] }],
        foreignKeys: [owner('notifications')],
        indices: [{ name: 'idx_notifications_user_created', columnNames: ['user_id', 'created_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          pk(id('id')),
          id('user_id'),
          id('api_key_id', true),
          text('type', 32),
          text('actor', 16),
          text('details', null),
          time('created_at'),
          text('dedupe_key', 200, true),
        ],
        uniques: [{ name: 'uq_audit_events_dedupe', columnNames: ['dedupe_key'] }],
        foreignKeys: [owner('audit_events')],
        indices: [
          { name: 'idx_audit_events_user_created', columnNames: ['user_id', 'created_at'] },
          { name: 'idx_audit_events_key_created', columnNames: ['api_key_id', 'created_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_events', 'notifications', 'trades', 'api_keys', 'sessions', 'users']) {
      await queryRunner.dropTable(table);
    }
  }
}
