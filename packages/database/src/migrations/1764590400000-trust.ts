import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Second round, trust (security.md): e-mail confirmation on users, and the client a session was
 * made for (an extension session may read and report, not manage keys). Existing sessions are web
 * sessions; existing accounts start unconfirmed, so no address a stranger typed in gets mail again
 * until its owner confirms it.
 */
export class Trust1764590400000 implements MigrationInterface {
  name = 'Trust1764590400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    const time = pg ? 'timestamptz' : 'datetime';
    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'email_verified_at', type: time, isNullable: true }),
      new TableColumn({ name: 'email_token_hash', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'email_token_expires_at', type: time, isNullable: true }),
    ]);
    await queryRunner.query('CREATE UNIQUE INDEX idx_users_email_token ON users (email_token_hash)');
    await queryRunner.addColumn('sessions', new TableColumn({ name: 'client', type: 'varchar', length: '16', default: "'web'" }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('sessions', 'client');
    await queryRunner.query('DROP INDEX idx_users_email_token');
    await queryRunner.dropColumns('users', ['email_token_expires_at', 'email_token_hash', 'email_verified_at']);
  }
}
