import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, dataSourceOptions, migrate, parseDatabaseUrl } from '../data-source.js';
import { type TestDatabase, createTestDatabase, databaseKinds } from '../testing.js';
import { KeyLineages1765031400000 } from './1765031400000-key-lineages.js';

const BEFORE = MIGRATIONS.filter((migration) => migration !== KeyLineages1765031400000);

describe.each(await databaseKinds())('the key-lineages migration on %s', (kind) => {
  let database: TestDatabase | undefined;
  afterAll(() => database?.drop());

  it('gives each existing self-rotation chain one lineage, every other key its own, and keeps a reported chain leaked', async () => {
    database = await createTestDatabase(kind);
    const target = parseDatabaseUrl(database.url);
    const old = new DataSource({ ...dataSourceOptions(target, 2), migrations: BEFORE });
    await old.initialize();
    await migrate(old);
    const pg = kind === 'postgres';
    const q = (sql: string, params: unknown[] = []) => old.query(pg ? sql : sql.replace(/\$\d+/g, '?'), params);
    const userId = randomUUID();
    await q('INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)', [
      userId,
      `${userId}@example.com`,
      'x',
      new Date().toISOString(),
    ]);
    const insertKey = async (fields: { rotatedFrom?: string; bySelf?: boolean; revokeReason?: string }) => {
      const id = randomUUID();
      await q(
        `INSERT INTO api_keys (id, user_id, name, scope, environment, prefix, last4, key_hash, created_at, rotated_from_id, made_by_self_rotation, revoked_at, revoke_reason)
         VALUES ($1, $2, 'k', 'read', 'live', 'tt_live_x', 'abcd', $3, $4, $5, $6, $7, $8)`,
        [
          id,
          userId,
          `h-${id}`,
          new Date().toISOString(),
          fields.rotatedFrom ?? null,
          pg ? Boolean(fields.bySelf) : fields.bySelf ? 1 : 0,
          fields.revokeReason ? new Date().toISOString() : null,
          fields.revokeReason ?? null,
        ],
      );
      return id;
    };
    // A self-rotation chain root → a → b; a session rotation of b (c) with a self-rotation (d); a lone key; a reported chain.
    const root = await insertKey({});
    const a = await insertKey({ rotatedFrom: root, bySelf: true });
    const b = await insertKey({ rotatedFrom: a, bySelf: true });
    const c = await insertKey({ rotatedFrom: b });
    const d = await insertKey({ rotatedFrom: c, bySelf: true });
    const lone = await insertKey({});
    const leakedRoot = await insertKey({ revokeReason: 'leak_reported' });
    const leakedNext = await insertKey({ rotatedFrom: leakedRoot, bySelf: true, revokeReason: 'leak_reported' });
    await old.destroy();

    const current = new DataSource(dataSourceOptions(target, 2));
    await current.initialize();
    try {
      expect(await migrate(current)).toEqual(['KeyLineages1765031400000']);
      const rows = (await current.query('SELECT id, lineage_id FROM api_keys')) as Array<{ id: string; lineage_id: string }>;
      const lineageOf = Object.fromEntries(rows.map((row) => [row.id, row.lineage_id]));
      expect([lineageOf[root], lineageOf[a], lineageOf[b]]).toEqual([root, root, root]);
      expect([lineageOf[c], lineageOf[d]]).toEqual([c, c]);
      expect(lineageOf[lone]).toBe(lone);
      expect([lineageOf[leakedRoot], lineageOf[leakedNext]]).toEqual([leakedRoot, leakedRoot]);
      const lineages = (await current.query('SELECT id, leaked_at FROM api_key_lineages')) as Array<{ id: string; leaked_at: unknown }>;
      expect(lineages.map((l) => l.id).sort()).toEqual([root, c, lone, leakedRoot].sort());
      expect(lineages.filter((l) => l.leaked_at !== null).map((l) => l.id)).toEqual([leakedRoot]);
    } finally {
      await current.destroy();
    }
  });
});
