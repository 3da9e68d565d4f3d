import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * Round three of the API's trust rules (security.md "The API, round two"): the devices each account
 * signed in from (only the SHA-256 of each device token, never the token), so the owner's own
 * devices pass the account-wide sign-in ceiling; and every confirmation e-mail sent, by the
 * SHA-256 of its address, so an address gets at most 5 a day whoever asks. Two new tables: existing
 * rows are untouched, and existing sessions and accounts work as before (a device becomes known at
 * its next sign-in).
 */
export class DevicesAndConfirmations1765044000000 implements MigrationInterface {
  name = 'DevicesAndConfirmations1765044000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    const time = pg ? 'timestamptz' : 'datetime';
    const uuid = pg ? { type: 'uuid' } : { type: 'varchar', length: '36' };
    await queryRunner.createTable(
      new Table({
        name: 'known_devices',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'user_id', ...uuid },
          { name: 'created_at', type: time },
          { name: 'last_seen_at', type: time },
        ],
        foreignKeys: [
          { name: 'fk_known_devices_user', columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
        indices: [{ name: 'idx_known_devices_user', columnNames: ['user_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'confirmation_emails',
        columns: [
          { name: 'id', ...uuid, isPrimary: true },
          { name: 'email_hash', type: 'varchar', length: '64' },
          { name: 'sent_at', type: time },
        ],
        indices: [{ name: 'idx_confirmation_emails_address', columnNames: ['email_hash', 'sent_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('confirmation_emails');
    await queryRunner.dropTable('known_devices');
  }
}
