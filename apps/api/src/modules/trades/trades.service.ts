import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { CreateTradeRequestSchema, ImportResult, ListTradesQuery, Page, Trade, UpdateTradeRequestSchema } from '@tradetally/contracts';
import { Db, type SqlParam, TradeEntity } from '@tradetally/database';
import type { z } from 'zod';
import { ApiError } from '../../common/api-error.js';
import { decodeCursor, toPage } from '../../common/pagination.js';
import { DB } from '../../common/tokens.js';
import { isUniqueViolation } from '../auth/auth.service.js';
import type { ImportRow } from './csv-import.js';
import { toTrade } from './trade.mapper.js';

type NewTrade = z.output<typeof CreateTradeRequestSchema>;
type TradeChanges = z.output<typeof UpdateTradeRequestSchema>;

const TRADE_COLUMNS = 'id, user_id, symbol, side, quantity, price, fees, executed_at, notes, external_id, created_at';

interface TradeRow {
  id: string;
  user_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: number | string;
  price: number | string;
  fees: number | string;
  executed_at: unknown;
  notes: string | null;
  external_id: string | null;
  created_at: unknown;
}

const INSERT_COLUMNS = ['id', 'user_id', 'symbol', 'side', 'quantity', 'price', 'fees', 'executed_at', 'notes', 'external_id', 'created_at'];
// 11 parameters a row; 400 rows stay far below SQLite's and PostgreSQL's parameter limits.
const INSERT_CHUNK = 400;

@Injectable()
export class TradesService {
  constructor(@Inject(DB) private readonly db: Db) {}

  /** One indexed range scan on (user_id, executed_at, id); raw SQL because every key-checked list runs it. */
  async list(userId: string, query: ListTradesQuery): Promise<Page<Trade>> {
    const where = ['user_id = $1'];
    const params: SqlParam[] = [userId];
    const add = (clause: string, ...values: SqlParam[]) => {
      where.push(clause.replace(/\?/g, () => `$${params.push(values.shift() ?? null)}`));
    };
    if (query.symbol) add('symbol = ?', query.symbol);
    if (query.from) add('executed_at >= ?', new Date(query.from));
    if (query.to) add('executed_at < ?', new Date(query.to));
    const cursor = decodeCursor(query.cursor);
    if (cursor) add('(executed_at < ? OR (executed_at = ? AND id < ?))', cursor.at, cursor.at, cursor.id);
    const rows = await this.db.query<TradeRow>(
      `SELECT ${TRADE_COLUMNS} FROM trades WHERE ${where.join(' AND ')} ORDER BY executed_at DESC, id DESC LIMIT ${query.limit + 1}`,
      params,
    );
    const trades = rows.map((row) => this.fromRow(row));
    return toPage(trades, query.limit, toTrade, (t) => ({ at: t.executedAt, id: t.id }));
  }

  async get(userId: string, id: string): Promise<Trade> {
    return toTrade(await this.find(userId, id));
  }

  async create(userId: string, body: NewTrade): Promise<Trade> {
    const entity = this.toEntity(userId, body);
    try {
      await this.db.write((manager) => manager.insert(TradeEntity, entity));
    } catch (error) {
      throw this.conflictOr(error);
    }
    return toTrade(entity);
  }

  async update(userId: string, id: string, changes: TradeChanges): Promise<Trade> {
    const trade = await this.find(userId, id);
    const { executedAt, ...rest } = changes;
    Object.assign(trade, rest, executedAt ? { executedAt: new Date(executedAt) } : {});
    try {
      await this.db.write((manager) => manager.update(TradeEntity, { id, userId }, { ...rest, ...(executedAt ? { executedAt: new Date(executedAt) } : {}) }));
    } catch (error) {
      throw this.conflictOr(error);
    }
    return toTrade(trade);
  }

  async remove(userId: string, id: string): Promise<void> {
    const result = await this.db.write((manager) => manager.delete(TradeEntity, { id, userId }));
    if (Db.affected(result) === 0) throw new ApiError('not_found', 'No such trade.');
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
    const imported = await this.db.transaction(async (manager) => {
      const known = new Set<string>();
      const ids = [...seen];
      for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
        const chunk = ids.slice(i, i + INSERT_CHUNK);
        const placeholders = chunk.map((_, j) => `$${j + 2}`).join(', ');
        const found = await this.db.query<{ external_id: string }>(
          `SELECT external_id FROM trades WHERE user_id = $1 AND external_id IN (${placeholders})`,
          [userId, ...chunk],
          manager,
        );
        for (const row of found) known.add(row.external_id);
      }
      const toInsert = fresh.filter((t) => !t.externalId || !known.has(t.externalId));
      duplicates += fresh.length - toInsert.length;
      let landed = 0;
      for (let i = 0; i < toInsert.length; i += INSERT_CHUNK) {
        const chunk = toInsert.slice(i, i + INSERT_CHUNK).map((t) => this.toEntity(userId, t));
        const params: SqlParam[] = [];
        const values = chunk.map((t) => {
          const start = params.length;
          params.push(t.id, t.userId, t.symbol, t.side, t.quantity, t.price, t.fees, t.executedAt, t.notes, t.externalId, t.createdAt);
          return `(${INSERT_COLUMNS.map((_, j) => `$${start + j + 1}`).join(', ')})`;
        });
        const sql = `INSERT INTO trades (${INSERT_COLUMNS.join(', ')}) VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`;
        if (this.db.kind === 'postgres') {
          landed += (await this.db.query(`${sql} RETURNING id`, params, manager)).length;
        } else {
          // BEGIN IMMEDIATE holds SQLite's write lock, so the SELECT above saw every existing id.
          await this.db.query(sql, params, manager);
          landed += chunk.length;
        }
      }
      duplicates += toInsert.length - landed;
      return landed;
    });
    return { imported, duplicates, errors };
  }

  private fromRow(row: TradeRow): TradeEntity {
    return Object.assign(new TradeEntity(), {
      id: row.id,
      userId: row.user_id,
      symbol: row.symbol,
      side: row.side,
      quantity: Number(row.quantity),
      price: Number(row.price),
      fees: Number(row.fees),
      executedAt: this.db.date(row.executed_at) ?? new Date(0),
      notes: row.notes,
      externalId: row.external_id,
      createdAt: this.db.date(row.created_at) ?? new Date(0),
    });
  }

  private toEntity(userId: string, body: NewTrade): TradeEntity {
    return Object.assign(new TradeEntity(), {
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
    });
  }

  private async find(userId: string, id: string): Promise<TradeEntity> {
    const trade = await this.db.manager.findOneBy(TradeEntity, { id, userId });
    if (!trade) throw new ApiError('not_found', 'No such trade.');
    return trade;
  }

  private conflictOr(error: unknown): unknown {
    return isUniqueViolation(error) ? new ApiError('external_id_taken', 'You already have a trade with this externalId.') : error;
  }
}
