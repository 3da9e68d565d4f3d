import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestRepositories, apiKeyRecord, databaseKinds, openTestRepositories } from '../testing.js';
import type { ApiKeyRecord } from './api-keys.repository.js';

const DAY = 86_400_000;

/** A stored key of `userId`, made a day ago, overridable. */
function keyRecord(userId: string, fields: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return apiKeyRecord({ userId, createdAt: new Date(Date.now() - DAY), ...fields });
}

describe.each(await databaseKinds())('ApiKeysRepository on %s', (kind) => {
  let repos: TestRepositories;
  beforeAll(async () => {
    repos = await openTestRepositories(kind);
  });
  afterAll(() => repos.close());

  it('stores a key and reads every field back decoded (dates, booleans, allowedIps)', async () => {
    const userId = await repos.user();
    const key = keyRecord(userId, {
      expiresAt: new Date(Date.now() + DAY),
      canary: true,
      selfRotate: true,
      allowedIps: ['10.0.0.0/8', '2001:db8::1'],
      lastUsedIp: '10.1.2.3',
    });
    await repos.keys.insert(key);
    expect(await repos.keys.findById(key.id)).toEqual(key);
    expect(await repos.keys.findOwned(userId, key.id)).toEqual(key);
    expect(await repos.keys.findOwned(await repos.user(), key.id)).toBeNull();
  });

  it('finds a key for the check by any of its candidate hashes, with only what the check needs', async () => {
    const userId = await repos.user();
    const key = keyRecord(userId, { allowedIps: ['192.0.2.1'] });
    await repos.keys.insert(key);
    const found = await repos.keys.findForCheck(['other-hash', key.keyHash]);
    expect(found).toMatchObject({ id: key.id, userId, scope: 'read', canary: false, allowedIpsText: '["192.0.2.1"]', pepperId: '1', revokedAt: null });
    expect(await repos.keys.findForCheck([key.keyHash])).toMatchObject({ id: key.id });
    expect(await repos.keys.findForCheck(['nothing'])).toBeNull();
  });

  it('pages a user’s keys newest first, with a cursor and the active filter', async () => {
    const userId = await repos.user();
    const now = Date.now();
    const keys = [0, 1, 2, 3].map((i) => keyRecord(userId, { createdAt: new Date(now - (i + 1) * 1000) }));
    keys[1]!.revokedAt = new Date(now - 500);
    for (const key of keys) await repos.keys.insert(key);
    const first = await repos.keys.page(userId, { cursor: null, limit: 2 });
    expect(first.map((k) => k.id)).toEqual([keys[0]!.id, keys[1]!.id, keys[2]!.id]);
    const next = await repos.keys.page(userId, { cursor: { at: keys[1]!.createdAt, id: keys[1]!.id }, limit: 2 });
    expect(next.map((k) => k.id)).toEqual([keys[2]!.id, keys[3]!.id]);
    const active = await repos.keys.page(userId, { activeAt: new Date(), cursor: null, limit: 10 });
    expect(active.map((k) => k.id)).toEqual([keys[0]!.id, keys[2]!.id, keys[3]!.id]);
  });

  it('updates name and allowedIps of the owner’s key only', async () => {
    const userId = await repos.user();
    const key = keyRecord(userId);
    await repos.keys.insert(key);
    expect(await repos.keys.update(await repos.user(), key.id, { name: 'stolen' })).toBe(false);
    expect(await repos.keys.update(userId, key.id, { name: 'renamed', allowedIps: ['10.0.0.1'] })).toBe(true);
    expect(await repos.keys.findById(key.id)).toMatchObject({ name: 'renamed', allowedIps: ['10.0.0.1'] });
    await repos.keys.update(userId, key.id, { allowedIps: null });
    expect((await repos.keys.findById(key.id))?.allowedIps).toBeNull();
  });

  it('revokes once: a second revoke changes nothing and says so', async () => {
    const key = keyRecord(await repos.user());
    await repos.keys.insert(key);
    const at = new Date();
    expect(await repos.keys.revoke(key.id, 'user', at)).toBe(true);
    expect(await repos.keys.revoke(key.id, 'leak_reported', new Date())).toBe(false);
    expect(await repos.keys.findById(key.id)).toMatchObject({ revokedAt: at, revokeReason: 'user' });
  });

  it('claims a rotation once, never for an expired key, and finishes it at the grace end', async () => {
    const userId = await repos.user();
    const key = keyRecord(userId);
    const expired = keyRecord(userId, { expiresAt: new Date(Date.now() - 1000) });
    await repos.keys.insert(key);
    await repos.keys.insert(expired);
    const grace = new Date(Date.now() - 1);
    const claims = await Promise.all(
      [1, 2, 3].map(() => repos.db.transaction((tx) => repos.keys.claimRotation(key.id, randomUUID(), grace, false, new Date(), tx))),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await repos.db.transaction((tx) => repos.keys.claimRotation(expired.id, randomUUID(), grace, false, new Date(), tx))).toBe(false);
    expect(await repos.db.transaction((tx) => repos.keys.finishRotation(key.id, new Date(), tx))).toBe(true);
    expect(await repos.db.transaction((tx) => repos.keys.finishRotation(key.id, new Date(), tx))).toBe(false);
    expect(await repos.keys.findById(key.id)).toMatchObject({ revokedAt: grace, revokeReason: 'rotated' });
  });

  it('touches last use at most once per precision window, and re-hashes under a new pepper once', async () => {
    const key = keyRecord(await repos.user(), { pepperId: 'old' });
    await repos.keys.insert(key);
    const first = new Date();
    await repos.keys.touch(key.id, first, '10.0.0.9', 'client/1', new Date(first.getTime() - 60_000));
    await repos.keys.touch(key.id, new Date(first.getTime() + 1000), '10.0.0.10', 'client/2', new Date(first.getTime() - 59_000));
    expect(await repos.keys.findById(key.id)).toMatchObject({ lastUsedAt: first, lastUsedIp: '10.0.0.9', lastUsedUserAgent: 'client/1' });
    await repos.keys.rehash(key.id, 'old', 'new-hash', 'new');
    await repos.keys.rehash(key.id, 'old', 'other-hash', 'newer');
    expect(await repos.keys.findById(key.id)).toMatchObject({ keyHash: 'new-hash', pepperId: 'new' });
  });

  it('answers the sweep’s questions: expiring, expired unrecorded, rotation age, in grace, idle', async () => {
    const userId = await repos.user();
    const now = new Date();
    const soon = keyRecord(userId, { expiresAt: new Date(now.getTime() + DAY) });
    const gone = keyRecord(userId, { expiresAt: new Date(now.getTime() - 1000) });
    const old = keyRecord(userId, { createdAt: new Date(now.getTime() - 100 * DAY), lastUsedAt: new Date(now.getTime() - 40 * DAY) });
    const inGrace = keyRecord(userId, { graceEndsAt: new Date(now.getTime() + DAY), rotatedToId: randomUUID() });
    const decoy = keyRecord(userId, { canary: true, expiresAt: new Date(now.getTime() + DAY), createdAt: new Date(now.getTime() - 100 * DAY) });
    for (const key of [soon, gone, old, inGrace, decoy]) await repos.keys.insert(key);
    const ids = (list: Array<{ id: string }>) => list.map((k) => k.id);
    expect(ids(await repos.keys.expiringBetween(now, new Date(now.getTime() + 2 * DAY)))).toContain(soon.id);
    expect(ids(await repos.keys.expiringBetween(now, new Date(now.getTime() + 2 * DAY)))).not.toContain(decoy.id);
    expect(await repos.keys.expiredUnrecorded(now)).toContain(gone.id);
    expect(ids(await repos.keys.rotatableCreatedBefore(now, new Date(now.getTime() - 90 * DAY)))).toEqual([old.id]);
    expect(await repos.keys.inGrace()).toContainEqual({ id: inGrace.id, graceEndsAt: inGrace.graceEndsAt });
    expect(await repos.keys.idleSince(now, new Date(now.getTime() - 30 * DAY))).toContainEqual({ id: old.id, since: old.lastUsedAt });
  });

  /** A chain of self-rotations: the root, then `depth` successors in its lineage, each in grace but the last. */
  async function selfRotatedChain(userId: string, depth: number, now = Date.now()): Promise<ApiKeyRecord[]> {
    const root = keyRecord(userId, { createdAt: new Date(now - (depth + 1) * 1000), selfRotate: true });
    const chain = [root];
    for (let i = 1; i <= depth; i++) {
      const previous = chain[i - 1]!;
      const next = keyRecord(userId, {
        createdAt: new Date(now - (depth + 1 - i) * 1000),
        selfRotate: true,
        madeBySelfRotation: true,
        rotatedFromId: previous.id,
        lineageId: root.id,
      });
      previous.rotatedToId = next.id;
      previous.graceEndsAt = new Date(now + 3_600_000);
      chain.push(next);
    }
    for (const key of chain) await repos.keys.insert(key);
    return chain;
  }

  it('revokes a whole lineage in one call from any of its keys, grace predecessors included, and marks it leaked', async () => {
    const userId = await repos.user();
    const chain = await selfRotatedChain(userId, 4);
    const earlier = chain[0]!;
    await repos.keys.revoke(earlier.id, 'rotated', new Date());
    const stranger = keyRecord(userId);
    await repos.keys.insert(stranger);
    const at = new Date();
    const revoked = await repos.db.transaction((tx) => repos.keys.revokeLineage(chain[2]!.lineageId, chain[2]!.id, at, tx));
    expect(revoked.map((k) => k.id).sort()).toEqual(
      chain
        .slice(1)
        .map((k) => k.id)
        .sort(),
    );
    expect(revoked.every((k) => k.revokeReason === 'leak_reported' && k.revokedAt?.getTime() === at.getTime())).toBe(true);
    expect(await repos.keys.findById(earlier.id)).toMatchObject({ revokeReason: 'rotated' });
    expect(await repos.keys.findById(stranger.id)).toMatchObject({ revokedAt: null });
    expect(await repos.keys.lineageLeakedAt(earlier.id)).toEqual(at);
    // A second report keeps the first mark and revokes nothing more.
    expect(await repos.db.transaction((tx) => repos.keys.revokeLineage(earlier.id, earlier.id, new Date(), tx))).toEqual([]);
    expect(await repos.keys.lineageLeakedAt(earlier.id)).toEqual(at);
  });

  it('locks a lineage and tells whether it is leaked; counts its self-rotations in the last hour', async () => {
    const userId = await repos.user();
    const chain = await selfRotatedChain(userId, 3);
    const lineage = chain[0]!.id;
    expect(await repos.db.transaction((tx) => repos.keys.lockLineage(lineage, tx))).toEqual({ leakedAt: null });
    const since = new Date(Date.now() - 3_600_000);
    expect(await repos.keys.selfRotationsSince(lineage, since)).toEqual(chain.slice(1).map((k) => k.createdAt));
    expect(await repos.keys.selfRotationsSince(lineage, chain[2]!.createdAt)).toEqual([chain[3]!.createdAt]);
    const at = new Date();
    await repos.db.transaction((tx) => repos.keys.revokeLineage(lineage, lineage, at, tx));
    expect(await repos.db.transaction((tx) => repos.keys.lockLineage(lineage, tx))).toEqual({ leakedAt: at });
  });

  it('locks the lineage of a key stored without a lineage row (made unleaked)', async () => {
    const lineage = randomUUID();
    expect(await repos.db.transaction((tx) => repos.keys.lockLineage(lineage, tx))).toEqual({ leakedAt: null });
  });

  it('counts keys per pepper, and the usable ones', async () => {
    const userId = await repos.user();
    await repos.keys.insert(keyRecord(userId, { pepperId: 'p-count' }));
    await repos.keys.insert(keyRecord(userId, { pepperId: 'p-count', revokedAt: new Date() }));
    expect((await repos.keys.countByPepper(new Date())).find((c) => c.pepperId === 'p-count')).toEqual({ pepperId: 'p-count', keys: 2, usable: 1 });
  });
});
