import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { CreateTradeRequestSchema, ImportResult, ListTradesQuery, Page, Trade, UpdateTradeRequestSchema } from '@tradetally/contracts';
import { Db, type TradeRecord, TradesRepository, isUniqueViolation } from '@tradetally/database';
import type { z } from 'zod';
import { ApiError } from '../../common/api-error.js';
import { decodeCursor, toPage } from '../../common/pagination.js';
import { DB } from '../../common/tokens.js';
import type { ImportRow } from './csv-import.js';
import { toTrade } from './trade.mapper.js';

type NewTrade = z.output<typeof CreateTradeRequestSchema>;
type TradeChanges = z.output<typeof UpdateTradeRequestSchema>;

@Injectable()
export class TradesService {
  constructor(
    @Inject(DB) private readonly db: Db,
    private readonly trades: TradesRepository,
  ) {}

  async list(userId: string, query: ListTradesQuery): Promise<Page<Trade>> {
    const rows = await this.trades.page(userId, {
      symbol: query.symbol,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      cursor: decodeCursor(query.cursor),
      limit: query.limit,
    });
    return toPage(rows, query.limit, toTrade, (t) => ({ at: t.executedAt, id: t.id }));
  }

  async get(userId: string, id: string): Promise<Trade> {
    return toTrade(await this.find(userId, id));
  }

  async create(userId: string, body: NewTrade): Promise<Trade> {
    const trade = this.toRecord(userId, body);
    try {
      await this.trades.insert(trade);
    } catch (error) {
      throw this.conflictOr(error);
    }
    return toTrade(trade);
  }

  async update(userId: string, id: string, changes: TradeChanges): Promise<Trade> {
    const { executedAt, ...rest } = changes;
    const fields = { ...rest, ...(executedAt ? { executedAt: new Date(executedAt) } : {}) };
    let found: boolean;
    try {
      found = await this.trades.update(userId, id, fields);
    } catch (error) {
      throw this.conflictOr(error);
    }
    if (!found) throw new ApiError('not_found', 'No such trade.');
    return this.get(userId, id);
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!(await this.trades.delete(userId, id))) throw new ApiError('not_found', 'No such trade.');
  }

  /**
   * Lands every valid row in one transaction. Rows whose externalId was imported before, or
   * appears earlier in the same file, count as duplicates; ON CONFLICT DO NOTHING keeps a
   * concurrent import of the same ids from landing anything twice.
   */
  async import(userId: string, rows: ImportRow[]): Promise<ImportResult> {
    const errors = rows.filter((r) => r.error !== undefined).map((r) => ({ line: r.line, message: r.error as string }));
    const candidates = rows.flatMap((r) => (r.trade ? [r.trade] : []));
    let duplicates = 0;
    const seen = new Set<string>();
    const fresh: NewTrade[] = [];
    for (const trade of candidates) {
      if (trade.externalId) {
        if (seen.has(trade.externalId)) {
          duplicates++;
          continue;
        }
        seen.add(trade.externalId);
      }
      fresh.push(trade);
    }
    const imported = await this.db.transaction(async (tx) => {
      const known = await this.trades.existingExternalIds(userId, [...seen], tx);
      const toInsert = fresh.filter((t) => !t.externalId || !known.has(t.externalId));
      duplicates += fresh.length - toInsert.length;
      const landed = await this.trades.insertMany(
        toInsert.map((t) => this.toRecord(userId, t)),
        tx,
      );
      duplicates += toInsert.length - landed;
      return landed;
    });
    return { imported, duplicates, errors };
  }

  private toRecord(userId: string, body: NewTrade): TradeRecord {
    return {
      id: randomUUID(),
      userId,
      symbol: body.symbol,
      side: body.side,
      quantity: body.quantity,
      price: body.price,
      fees: body.fees,
      executedAt: new Date(body.executedAt),
      notes: body.notes ?? null,
      externalId: body.externalId ?? null,
      createdAt: new Date(),
    };
  }

  private async find(userId: string, id: string): Promise<TradeRecord> {
    const trade = await this.trades.findOwned(userId, id);
    if (!trade) throw new ApiError('not_found', 'No such trade.');
    return trade;
  }

  private conflictOr(error: unknown): unknown {
    return isUniqueViolation(error) ? new ApiError('external_id_taken', 'You already have a trade with this externalId.') : error;
  }
}
