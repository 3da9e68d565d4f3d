import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TradeTallyClient, TradeTallyError, autoRotate, type KeyStore } from './index.js';
import { envStore, fileStore } from './node.js';
import { DATABASE_KINDS, type SpawnedApi, spawnApi } from './testing/api-server.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./testing/rotate-child.mjs', import.meta.url));
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe.each(DATABASE_KINDS)('autoRotate against the real API on %s', (kind) => {
  let api: SpawnedApi;
  let dir: string;
  let owner: TradeTallyClient;

  beforeAll(async () => {
    api = await spawnApi(kind);
    dir = mkdtempSync(join(tmpdir(), 'tt-client-store-'));
    owner = new TradeTallyClient({ baseUrl: api.url });
    const email = `rotator-${randomBytes(5).toString('hex')}@example.com`;
    await owner.auth.register({ email, password: 'a long enough password' });
    await owner.auth.login({ email, password: 'a long enough password' });
  });
  afterAll(async () => {
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('three processes sharing one file store end with exactly one successor, all using it', async () => {
    const original = await owner.keys.create({ name: 'shared', scope: 'read', selfRotate: true, expiresAt: inDays(7) });
    const path = join(dir, 'shared.key');
    const store = fileStore(path);
    await store.save(original.secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const startAt = String(Date.now() + 1500);
    const outputs = await Promise.all([1, 2, 3].map(() => run(process.execPath, [CHILD, api.url, path, startAt], { timeout: 60_000 })));
    const results = outputs.map(
      (o) => JSON.parse(o.stdout.trim().split('\n').pop() ?? '{}') as { rotated: boolean; keyId: string; selfId: string; usesStored: boolean },
    );

    expect(results.filter((r) => r.rotated)).toHaveLength(1);
    const successors = (await owner.keys.list({ limit: 200 })).data.filter((k) => k.rotatedFromId === original.apiKey.id);
    expect(successors).toHaveLength(1);
    const successor = successors[0]!;
    for (const r of results) expect(r).toMatchObject({ keyId: successor.id, selfId: successor.id, usesStored: true });
    expect((await owner.keys.lookup((await store.load()) ?? '')).id).toBe(successor.id);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('leaves keys alone that may not rotate themselves or are not due', async () => {
    const fixed = await owner.keys.create({ name: 'fixed', scope: 'read', expiresAt: inDays(3) });
    const fixedClient = new TradeTallyClient({ baseUrl: api.url, apiKey: fixed.secret });
    await expect(autoRotate({ client: fixedClient, store: envStore(`TT_TEST_KEY_${randomBytes(3).toString('hex')}`) }).check()).resolves.toMatchObject({
      rotated: false,
      key: { id: fixed.apiKey.id },
    });

    const later = await owner.keys.create({ name: 'later', scope: 'read', selfRotate: true, expiresAt: inDays(60) });
    const laterClient = new TradeTallyClient({ baseUrl: api.url, apiKey: later.secret });
    await expect(autoRotate({ client: laterClient, store: envStore(`TT_TEST_KEY_${randomBytes(3).toString('hex')}`) }).check()).resolves.toMatchObject({
      rotated: false,
      key: { id: later.apiKey.id },
    });
    expect(laterClient.apiKey).toBe(later.secret);
  });

  it('rotates into an environment-variable store and the client switches', async () => {
    const name = `TT_TEST_KEY_${randomBytes(3).toString('hex')}`;
    const due = await owner.keys.create({ name: 'env', scope: 'read', selfRotate: true, expiresAt: inDays(5) });
    process.env[name] = due.secret;
    const persisted: string[] = [];
    const tt = new TradeTallyClient({ baseUrl: api.url, apiKey: due.secret });
    const result = await autoRotate({ client: tt, store: envStore(name, async (key) => void persisted.push(key)) }).check();
    expect(result.rotated).toBe(true);
    expect((await owner.keys.get(result.key.id)).rotatedFromId).toBe(due.apiKey.id);
    expect(process.env[name]).toBe(tt.apiKey);
    expect(persisted).toEqual([tt.apiKey]);
    expect((await tt.keys.self()).id).toBe(result.key.id);
    delete process.env[name];
  });

  it('keeps the old key in use and throws when the new one cannot be saved', async () => {
    const due = await owner.keys.create({ name: 'unsaved', scope: 'read', selfRotate: true, expiresAt: inDays(5) });
    const tt = new TradeTallyClient({ baseUrl: api.url, apiKey: due.secret });
    const broken: KeyStore = { load: async () => due.secret, save: () => Promise.reject(new Error('disk full')) };
    const error = (await autoRotate({ client: tt, store: broken })
      .check()
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/could not be saved/);
    expect(error.message).not.toContain('tt_live_');
    expect(tt.apiKey).toBe(due.secret);
    // Still works: the grace period covers it while a person looks into the store.
    expect(await tt.keys.self()).toMatchObject({ id: due.apiKey.id, status: 'active' });
    await expect(tt.keys.rotateSelf()).rejects.toBeInstanceOf(TradeTallyError);
  });
});
