import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestRepositories, databaseKinds, openTestRepositories } from '../testing.js';
import type { IdempotencyClaim } from './idempotency.repository.js';

const HOUR = 3600_000;
const claimOf = (over: Partial<IdempotencyClaim> = {}): IdempotencyClaim => ({
  scope: `user:${randomBytes(4).toString('hex')}`,
  keyHash: randomBytes(32).toString('hex'),
  requestHash: randomBytes(32).toString('hex'),
  pepperId: 'p1',
  ...over,
});

describe.each(await databaseKinds())('IdempotencyRepository on %s', (kind) => {
  let repos: TestRepositories;
  beforeAll(async () => {
    repos = await openTestRepositories(kind);
  });
  afterAll(() => repos.close());

  it('lets exactly one of many concurrent claims of a key win, per scope', async () => {
    const claim = claimOf();
    const wins = await Promise.all(Array.from({ length: 8 }, () => repos.idempotency.claim(claim, new Date(Date.now() - 24 * HOUR))));
    expect(wins.filter(Boolean)).toHaveLength(1);
    // The same key under another credential is another row.
    expect(await repos.idempotency.claim({ ...claim, scope: `${claim.scope}-other` }, new Date(Date.now() - 24 * HOUR))).toBe(true);
  });

  it('keeps the claim running until completed, then the answer; a completed answer is not overwritten', async () => {
    const claim = claimOf();
    const at = new Date('2026-12-01T10:00:00.000Z');
    await repos.idempotency.claim(claim, new Date(at.getTime() - 24 * HOUR), at);
    expect(await repos.idempotency.find(claim.scope, claim.keyHash)).toEqual({ ...claim, status: null, response: null, createdAt: at });
    await repos.idempotency.complete(claim.scope, claim.keyHash, 201, 'sealed');
    await repos.idempotency.complete(claim.scope, claim.keyHash, 500, 'other');
    await repos.idempotency.release(claim.scope, claim.keyHash);
    expect(await repos.idempotency.find(claim.scope, claim.keyHash)).toMatchObject({ status: 201, response: 'sealed' });
  });

  it('frees a released claim and a row older than the kept window', async () => {
    const released = claimOf();
    await repos.idempotency.claim(released, new Date(Date.now() - 24 * HOUR));
    await repos.idempotency.release(released.scope, released.keyHash);
    expect(await repos.idempotency.find(released.scope, released.keyHash)).toBeNull();
    expect(await repos.idempotency.claim(released, new Date(Date.now() - 24 * HOUR))).toBe(true);

    const old = claimOf();
    const now = Date.now();
    await repos.idempotency.claim(old, new Date(now - 50 * HOUR), new Date(now - 25 * HOUR));
    await repos.idempotency.complete(old.scope, old.keyHash, 201, 'old');
    expect(await repos.idempotency.claim(old, new Date(now - 26 * HOUR))).toBe(false);
    expect(await repos.idempotency.claim(old, new Date(now - 24 * HOUR))).toBe(true);
    expect(await repos.idempotency.find(old.scope, old.keyHash)).toMatchObject({ status: null, response: null });
  });

  it('purges the rows created before a time and only those', async () => {
    const now = Date.now();
    const stale = claimOf();
    const fresh = claimOf();
    await repos.idempotency.claim(stale, new Date(0), new Date(now - 25 * HOUR));
    await repos.idempotency.claim(fresh, new Date(0), new Date(now - 23 * HOUR));
    expect(await repos.idempotency.purgeBefore(new Date(now - 24 * HOUR))).toBeGreaterThanOrEqual(1);
    expect(await repos.idempotency.find(stale.scope, stale.keyHash)).toBeNull();
    expect(await repos.idempotency.find(fresh.scope, fresh.keyHash)).not.toBeNull();
  });
});
