import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Key lineages (security.md "Self-rotation and leaks"): every key carries `lineage_id`, the id of
 * the first key of its lineage; a self-rotation's successor joins its predecessor's lineage, any
 * other key starts its own. `api_key_lineages` holds one row per lineage with its leaked mark,
 * the row a self-rotation locks and a leak report marks, so the two cannot interleave.
 *
 * Existing keys get their lineage here: each self-rotation chain (followed through
 * `made_by_self_rotation` and `rotated_from_id`, with a recursive query both databases run) is one
 * lineage, and a lineage with a key revoked for a leak starts out leaked. Plain ADD COLUMN, so SQLite
 * does not copy the table.
 */
export class KeyLineages1765031400000 implements MigrationInterface {
  name = 'KeyLineages1765031400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    const id = pg ? 'uuid' : 'varchar(36)';
    await queryRunner.query(`ALTER TABLE api_keys ADD COLUMN lineage_id ${id}`);
    await queryRunner.query(`CREATE TABLE api_key_lineages (id ${id} PRIMARY KEY NOT NULL, leaked_at ${pg ? 'timestamptz' : 'datetime'})`);
    await queryRunner.query(
      `WITH RECURSIVE chain (id, root) AS (
         SELECT id, id FROM api_keys WHERE made_by_self_rotation = FALSE OR rotated_from_id IS NULL
         UNION ALL
         SELECT k.id, c.root FROM api_keys k JOIN chain c ON k.rotated_from_id = c.id WHERE k.made_by_self_rotation = TRUE
       )
       UPDATE api_keys SET lineage_id = COALESCE((SELECT root FROM chain WHERE chain.id = api_keys.id), id)`,
    );
    await queryRunner.query(
      `INSERT INTO api_key_lineages (id, leaked_at)
       SELECT lineage_id, MAX(CASE WHEN revoke_reason = 'leak_reported' THEN revoked_at END) FROM api_keys GROUP BY lineage_id`,
    );
    // The leak revocation's one statement and the self-rotation count both read a lineage's keys by it.
    await queryRunner.query('CREATE INDEX idx_api_keys_lineage_created ON api_keys (lineage_id, created_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX idx_api_keys_lineage_created');
    await queryRunner.query('DROP TABLE api_key_lineages');
    await queryRunner.query('ALTER TABLE api_keys DROP COLUMN lineage_id');
  }
}
