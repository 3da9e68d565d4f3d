import type { Trade } from '@tradetally/contracts';
import type { TradeRecord } from '@tradetally/database';

/** A trade as the API shows it. */
export function toTrade(entity: TradeRecord): Trade {
  return {
    id: entity.id,
    symbol: entity.symbol,
    side: entity.side,
    quantity: Number(entity.quantity),
    price: Number(entity.price),
    fees: Number(entity.fees),
    executedAt: entity.executedAt.toISOString(),
    notes: entity.notes,
    externalId: entity.externalId,
  };
}
