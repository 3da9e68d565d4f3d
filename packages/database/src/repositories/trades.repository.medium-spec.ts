import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestRepositories, databaseKinds, openTestRepositories } from '../testing.js';
import { isUniqueViolation } from './sql.js';
import type { TradeRecord } from './trades.repository.js';

function tradeRecord(userId: string, fields: Partial<TradeRecord> = {}): TradeRecord {
  return {
    id: randomUUID(),
    userId,
    symbol: 'AAPL',
    side: 'buy',
    quantity: 1.5,
    price: 101.25,
    fees: 0.5,
    executedAt: new Date('2026-01-02T03:04:05.678Z'),
    notes: null,
    externalId: null,
    createdAt: new Date(),
    ...fields,
  };
}

describe.each(await databaseKinds())('TradesRepository on %s', (kind) => {
  let repos: TestRepositories;
  beforeAll(async () => {
    repos = await openTestRepositories(kind);
  });
  afterAll(() => repos.close());

  it('stores a trade and reads it back decoded, for its owner only', async () => {
    const userId = await repos.user();
    const trade = tradeRecord(userId, { notes: 'n', externalId: 'ext-1' });
    await repos.trades.insert(trade);
    expect(await repos.trades.findOwned(userId, trade.id)).toEqual(trade);
    expect(await repos.trades.findOwned(await repos.user(), trade.id)).toBeNull();
  });

  it('refuses a second trade with the same externalId as a unique violation', async () => {
    const userId = await repos.user();
    await repos.trades.insert(tradeRecord(userId, { externalId: 'dup' }));
    const error = await repos.trades.insert(tradeRecord(userId, { externalId: 'dup' })).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    await repos.trades.insert(tradeRecord(await repos.user(), { externalId: 'dup' }));
  });

  it('pages newest execution first with symbol and time filters and a cursor', async () => {
    const userId = await repos.user();
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const trades = [
      tradeRecord(userId, { executedAt: at(3) }),
      tradeRecord(userId, { executedAt: at(2), symbol: 'MSFT' }),
      tradeRecord(userId, { executedAt: at(1) }),
    ];
    for (const trade of trades) await repos.trades.insert(trade);
    expect((await repos.trades.page(userId, { cursor: null, limit: 10 })).map((t) => t.id)).toEqual(trades.map((t) => t.id));
    expect((await repos.trades.page(userId, { symbol: 'MSFT', cursor: null, limit: 10 })).map((t) => t.id)).toEqual([trades[1]!.id]);
    expect((await repos.trades.page(userId, { from: at(2), to: at(3), cursor: null, limit: 10 })).map((t) => t.id)).toEqual([trades[1]!.id]);
    const cursor = { at: trades[0]!.executedAt, id: trades[0]!.id };
    expect((await repos.trades.page(userId, { cursor, limit: 1 })).map((t) => t.id)).toEqual([trades[1]!.id, trades[2]!.id]);
  });

  it('updates and deletes the owner’s trade only', async () => {
    const userId = await repos.user();
    const trade = tradeRecord(userId);
    await repos.trades.insert(trade);
    expect(await repos.trades.update(await repos.user(), trade.id, { price: 1 })).toBe(false);
    expect(await repos.trades.update(userId, trade.id, { price: 99, notes: 'changed' })).toBe(true);
    expect(await repos.trades.findOwned(userId, trade.id)).toMatchObject({ price: 99, notes: 'changed' });
    expect(await repos.trades.delete(await repos.user(), trade.id)).toBe(false);
    expect(await repos.trades.delete(userId, trade.id)).toBe(true);
    expect(await repos.trades.findOwned(userId, trade.id)).toBeNull();
  });

  it('inserts many in one transaction, skipping externalIds that exist, and counts what landed', async () => {
    const userId = await repos.user();
    await repos.trades.insert(tradeRecord(userId, { externalId: 'seen' }));
    const batch = [tradeRecord(userId, { externalId: 'seen' }), tradeRecord(userId, { externalId: 'new' }), tradeRecord(userId)];
    const landed = await repos.db.transaction(async (tx) => {
      expect([...(await repos.trades.existingExternalIds(userId, ['seen', 'new'], tx))]).toEqual(['seen']);
      return repos.trades.insertMany(batch, tx);
    });
    expect(landed).toBe(2);
    expect(await repos.trades.page(userId, { cursor: null, limit: 10 })).toHaveLength(3);
  });
});
