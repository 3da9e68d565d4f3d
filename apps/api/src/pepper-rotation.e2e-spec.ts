import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countKeysByPepper } from './peppers.js';
import { DATABASE_KINDS, type TestDatabase, createTestDatabase, startApi } from './testing/harness.js';

const OLD = 'old-pepper-old-pepper-old-pepper-old-pepper';
const NEW = 'new-pepper-new-pepper-new-pepper-new-pepper';

describe.each(DATABASE_KINDS)('pepper rotation on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('keeps keys working through 1 → "2,1" → 2, re-hashing each on use; an unused key stops only at the end, as the count said', async () => {
    // Phase 1: one pepper (TT_KEY_PEPPER, id "1").
    let api = await startApi(database.url, { TT_KEY_PEPPER: OLD });
    const { token } = await api.signUp();
    const used = await api.createKey(token, { name: 'used' });
    const idle = await api.createKey(token, { name: 'idle' });
    await api.close();

    // Phase 2: the new pepper first, the old one still accepted.
    const both = { TT_KEY_PEPPER: '', TT_KEY_PEPPERS: `2:${NEW},1:${OLD}` };
    api = await startApi(database.url, both);
    expect((await countKeysByPepper(api.db)).map((c) => [c.pepperId, c.usable])).toEqual([['1', 2]]);
    expect((await api.request('GET', '/v1/trades', { token: used.secret })).status).toBe(200);
    expect(await countKeysByPepper(api.db)).toEqual([
      { pepperId: '1', keys: 1, usable: 1 },
      { pepperId: '2', keys: 1, usable: 1 },
    ]);
    // New keys are made with the current pepper.
    const fresh = await api.createKey(token, { name: 'fresh' });
    const [row] = await api.db.query<{ pepper_id: string }>('SELECT pepper_id FROM api_keys WHERE id = $1', [fresh.apiKey.id]);
    expect(row?.pepper_id).toBe('2');
    // The command tells the operator one usable key still needs pepper 1.
    const main = join(dirname(fileURLToPath(import.meta.url)), '../dist/peppers.js');
    const printed = execFileSync(process.execPath, [main], {
      env: { ...process.env, DATABASE_URL: database.url, TT_KEY_PEPPER: '', TT_KEY_PEPPERS: both.TT_KEY_PEPPERS },
      encoding: 'utf8',
    });
    expect(printed).toMatch(/pepper 1: 1 keys, 1 still usable \(older, still accepted\)/);
    expect(printed).toMatch(/1 usable keys still need an older pepper/);
    await api.close();

    // Phase 3: the old pepper dropped. The re-hashed key works; the never-used one stops, as said.
    api = await startApi(database.url, { TT_KEY_PEPPER: '', TT_KEY_PEPPERS: `2:${NEW}` });
    try {
      expect((await api.request('GET', '/v1/trades', { token: used.secret })).status).toBe(200);
      expect((await api.request('GET', '/v1/trades', { token: fresh.secret })).status).toBe(200);
      const stopped = await api.request('GET', '/v1/trades', { token: idle.secret });
      expect(stopped.status).toBe(401);
      expect(stopped.body.code).toBe('invalid_api_key');
    } finally {
      await api.close();
    }
  });
});
