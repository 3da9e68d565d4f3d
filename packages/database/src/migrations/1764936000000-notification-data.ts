import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications keep their data (the key's name, where a leak was seen, the times…) as JSON beside
 * the title and body rendered from it, so an e-mail can quote user-written text as data instead of
 * finding it again in the prose. Existing rows keep their title and body and have no data: they
 * read as before. A plain ADD COLUMN, so SQLite does not copy the table.
 */
export class NotificationData1764936000000 implements MigrationInterface {
  name = 'NotificationData1764936000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE notifications ADD COLUMN data text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE notifications DROP COLUMN data');
  }
}
