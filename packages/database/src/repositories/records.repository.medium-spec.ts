import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestRepositories, databaseKinds, openTestRepositories } from '../testing.js';
import { isUniqueViolation } from './sql.js';

const KEY = 'tt_live_' + 'A'.repeat(38);

/** A leak notification's type and data, as the API writes it. */
const leaked = (name = 'Broker sync', seenAt: string | null = null) =>
  ({
    type: 'key_leaked',
    data: { key: { name, display: 'tt_live_C7Lf…xsfq', scope: 'read', environment: 'live' }, seenAt, source: 'page', reportedAt: '2026-11-29T12:00:00.000Z' },
  }) as const;

describe.each(await databaseKinds())('RecordsRepository, EffectsRepository and UsageRepository on %s', (kind) => {
  let repos: TestRepositories;
  beforeAll(async () => {
    repos = await openTestRepositories(kind);
  });
  afterAll(() => repos.close());

  it('writes notifications and audit events in the caller’s transaction, scrubbed of anything key-shaped', async () => {
    const userId = await repos.user();
    const ids = await repos.db.transaction(async (tx) => ({
      notification: await repos.records.notify(tx, { userId, apiKeyId: null, ...leaked(`named ${KEY}`, `https://paste.example/${KEY}`) }),
      audit: await repos.records.audit(tx, { userId, apiKeyId: null, type: 'key.created', actor: 'user', details: { note: KEY } }),
    }));
    const notification = await repos.records.findNotification(userId, ids.notification);
    expect(notification?.title).toBe('API key "named tt_live_[REDACTED]" was exposed and has been revoked');
    expect(notification?.body).toContain('was reported on https://paste.example/tt_live_[REDACTED] on 2026-11-29');
    expect(JSON.parse(notification?.data ?? 'null')).toMatchObject({
      key: { name: 'named tt_live_[REDACTED]' },
      seenAt: 'https://paste.example/tt_live_[REDACTED]',
    });
    for (const text of [notification?.title, notification?.body, notification?.data]) expect(text).not.toContain(KEY);
    expect((await repos.records.emailView(ids.notification))?.data).toBe(notification?.data);
    const [event] = await repos.records.auditPage(userId, { cursor: null, limit: 10 });
    expect(event?.id).toBe(ids.audit);
    expect(event?.details).not.toContain(KEY);
  });

  it('rolls the records back with the transaction that failed', async () => {
    const userId = await repos.user();
    await repos.db
      .transaction(async (tx) => {
        await repos.records.notify(tx, { userId, apiKeyId: null, ...leaked() });
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    expect(await repos.records.notificationsPage(userId, { cursor: null, limit: 10 })).toEqual([]);
  });

  it('keeps one notification per dedupe key, marks read once and e-mailed once', async () => {
    const userId = await repos.user();
    const dedupeKey = `leak-${randomUUID()}`;
    const id = await repos.db.transaction((tx) => repos.records.notify(tx, { userId, apiKeyId: null, ...leaked(), dedupeKey }));
    const again = await repos.db.transaction((tx) => repos.records.notify(tx, { userId, apiKeyId: null, ...leaked(), dedupeKey })).catch((e: unknown) => e);
    expect(isUniqueViolation(again)).toBe(true);
    expect((await repos.records.findNotificationByDedupeKey(dedupeKey))?.id).toBe(id);
    const first = new Date(Date.now() - 1000);
    await repos.records.markRead(userId, id, first);
    await repos.records.markRead(userId, id, new Date());
    expect((await repos.records.findNotification(userId, id))?.readAt).toEqual(first);
    expect(await repos.records.notificationsPage(userId, { unread: true, cursor: null, limit: 10 })).toEqual([]);
    await repos.records.markEmailed(id, first);
    await repos.records.markEmailed(id, new Date());
    expect((await repos.records.emailView(id))?.emailedAt).toEqual(first);
  });

  it('lists the outbox: unsent notifications of confirmed addresses made after the confirmation', async () => {
    const confirmed = randomUUID();
    const confirmedAt = new Date(Date.now() - 60_000);
    await repos.users.insert({
      id: confirmed,
      email: `c-${confirmed}@example.com`,
      passwordHash: 'x',
      createdAt: new Date(0),
      emailVerifiedAt: confirmedAt,
      emailTokenHash: null,
      emailTokenExpiresAt: null,
    });
    const unconfirmed = await repos.user();
    const [before, after, stranger] = await repos.db.transaction(async (tx) => [
      await repos.records.notify(tx, { userId: confirmed, apiKeyId: null, ...leaked() }, new Date(confirmedAt.getTime() - 1000)),
      await repos.records.notify(tx, { userId: confirmed, apiKeyId: null, ...leaked() }),
      await repos.records.notify(tx, { userId: unconfirmed, apiKeyId: null, ...leaked() }),
    ]);
    const unsent = await repos.records.unsent(['key_leaked'], new Date(0));
    expect(unsent).toContain(after);
    expect(unsent).not.toContain(before);
    expect(unsent).not.toContain(stranger);
  });

  it('claims an effect once, even when claims race', async () => {
    const userId = await repos.user();
    const key = { id: randomUUID() };
    await repos.db.query(
      "INSERT INTO api_keys (id, user_id, name, scope, environment, prefix, last4, key_hash, created_at) VALUES ($1, $2, 'k', 'read', 'live', 'tt_live_x', 'abcd', $3, $4)",
      [key.id, userId, `h-${key.id}`, new Date()],
    );
    const effect = { key: `expired-${key.id}`, apiKeyId: key.id, kind: 'expired' };
    const claims = await Promise.all([1, 2, 3, 4].map(() => repos.db.transaction((tx) => repos.effects.claim(tx, effect))));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect([...(await repos.effects.claimed([effect.key, 'other']))]).toEqual([effect.key]);
  });

  it('adds usage counts to the stored ones, never overwriting', async () => {
    const userId = await repos.user();
    const keyId = randomUUID();
    await repos.db.query(
      "INSERT INTO api_keys (id, user_id, name, scope, environment, prefix, last4, key_hash, created_at) VALUES ($1, $2, 'k', 'read', 'live', 'tt_live_x', 'abcd', $3, $4)",
      [keyId, userId, `h-${keyId}`, new Date()],
    );
    await repos.usage.add([{ keyId, day: '2026-12-01', requests: 3, rejected: 1 }]);
    await Promise.all([
      repos.usage.add([{ keyId, day: '2026-12-01', requests: 2, rejected: 0 }]),
      repos.usage.add([{ keyId, day: '2026-12-02', requests: 5, rejected: 5 }]),
    ]);
    const days = await repos.usage.since(keyId, '2026-12-01');
    expect(Object.fromEntries(days)).toEqual({ '2026-12-01': { requests: 5, rejected: 1 }, '2026-12-02': { requests: 5, rejected: 5 } });
    expect([...(await repos.usage.since(keyId, '2026-12-02')).keys()]).toEqual(['2026-12-02']);
  });
});
