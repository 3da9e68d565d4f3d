import type { Trade } from '@tradetally/contracts';

type TradeSide = Trade['side'];
import type { Db, SqlParam } from '../db.js';
import { type Cursor, type Row, type Tx, changed, insertRow, num, pageClause, setClause, text } from './sql.js';

/** A journal entry as stored. */
export interface TradeRecord {
  id: string;
  userId: string;
  symbol: string;
  side: TradeSide;
  quantity: number;
  price: number;
  fees: number;
  executedAt: Date;
  notes: string | null;
  externalId: string | null;
  createdAt: Date;
}

/** The writable fields of a trade. */
export type TradeChanges = Partial<Pick<TradeRecord, 'symbol' | 'side' | 'quantity' | 'price' | 'fees' | 'executedAt' | 'notes' | 'externalId'>>;

const COLUMNS = ['id', 'user_id', 'symbol', 'side', 'quantity', 'price', 'fees', 'executed_at', 'notes', 'external_id', 'created_at'];
const SELECT = `SELECT ${COLUMNS.join(', ')} FROM trades`;
// 11 parameters a row; 400 rows stay far below SQLite's and PostgreSQL's parameter limits.
const CHUNK = 400;

const COLUMN_OF: Record<keyof TradeChanges, string> = {
  symbol: 'symbol',
  side: 'side',
  quantity: 'quantity',
  price: 'price',
  fees: 'fees',
  executedAt: 'executed_at',
  notes: 'notes',
  externalId: 'external_id',
};

/** The `trades` table: a user's journal. */
export class TradesRepository {
  constructor(private readonly db: Db) {}

  private decode = (row: Row): TradeRecord => ({
    id: String(row.id),
    userId: String(row.user_id),
    symbol: String(row.symbol),
    side: row.side as TradeSide,
    quantity: num(row.quantity),
    price: num(row.price),
    fees: num(row.fees),
    executedAt: this.db.date(row.executed_at) ?? new Date(0),
    notes: text(row.notes),
    externalId: text(row.external_id),
    createdAt: this.db.date(row.created_at) ?? new Date(0),
  });

  private values(trade: TradeRecord): SqlParam[] {
    return [
      trade.id,
      trade.userId,
      trade.symbol,
      trade.side,
      trade.quantity,
      trade.price,
      trade.fees,
      trade.executedAt,
      trade.notes,
      trade.externalId,
      trade.createdAt,
    ];
  }

  /**
   * A page of a user's trades, newest execution first: one indexed range scan on
   * (user_id, executed_at, id), the query every key-checked list runs. `limit + 1` rows.
   */
  async page(userId: string, filter: { symbol?: string; from?: Date; to?: Date; cursor: Cursor | null; limit: number }): Promise<TradeRecord[]> {
    const params: SqlParam[] = [userId];
    let where = 'user_id = $1';
    if (filter.symbol) where += ` AND symbol = $${params.push(filter.symbol)}`;
    if (filter.from) where += ` AND executed_at >= $${params.push(filter.from)}`;
    if (filter.to) where += ` AND executed_at < $${params.push(filter.to)}`;
    const page = pageClause('executed_at', filter.cursor, filter.limit, params);
    return (await this.db.query(`${SELECT} WHERE ${where}${page.where}${page.tail}`, params)).map(this.decode);
  }

  async findOwned(userId: string, id: string): Promise<TradeRecord | null> {
    const [row] = await this.db.query(`${SELECT} WHERE id = $1 AND user_id = $2`, [id, userId]);
    return row ? this.decode(row) : null;
  }

  /** Adds one trade; a second trade with the user's externalId is a unique violation. */
  async insert(trade: TradeRecord): Promise<void> {
    const row = Object.fromEntries(COLUMNS.map((column, i) => [column, this.values(trade)[i] ?? null]));
    await insertRow(this.db, 'trades', row);
  }

  /** Changes the given fields of a user's trade; false when there is no such trade. */
  async update(userId: string, id: string, changes: TradeChanges): Promise<boolean> {
    const set = setClause(Object.fromEntries(Object.entries(changes).map(([field, value]) => [COLUMN_OF[field as keyof TradeChanges], value ?? null])), 3);
    if (set.values.length === 0) return (await this.findOwned(userId, id)) !== null;
    return (await changed(this.db, `UPDATE trades SET ${set.sql} WHERE id = $1 AND user_id = $2`, [id, userId, ...set.values])) === 1;
  }

  /** Deletes a user's trade; false when there was none. */
  async delete(userId: string, id: string): Promise<boolean> {
    return (await changed(this.db, 'DELETE FROM trades WHERE id = $1 AND user_id = $2', [id, userId])) === 1;
  }

  /** Which of `externalIds` the user already has. */
  async existingExternalIds(userId: string, externalIds: string[], tx?: Tx): Promise<Set<string>> {
    const known = new Set<string>();
    for (let i = 0; i < externalIds.length; i += CHUNK) {
      const chunk = externalIds.slice(i, i + CHUNK);
      const rows = await this.db.query(
        `SELECT external_id FROM trades WHERE user_id = $1 AND external_id IN (${chunk.map((_, j) => `$${j + 2}`).join(', ')})`,
        [userId, ...chunk],
        tx,
      );
      for (const row of rows) known.add(String(row.external_id));
    }
    return known;
  }

  /** Adds many trades; one whose externalId exists is skipped (ON CONFLICT DO NOTHING). Resolves to how many landed. */
  async insertMany(trades: TradeRecord[], tx: Tx): Promise<number> {
    let landed = 0;
    for (let i = 0; i < trades.length; i += CHUNK) {
      const chunk = trades.slice(i, i + CHUNK);
      const params: SqlParam[] = [];
      const tuples = chunk.map((trade) => {
        const start = params.length;
        params.push(...this.values(trade));
        return `(${COLUMNS.map((_, j) => `$${start + j + 1}`).join(', ')})`;
      });
      landed += (await this.db.query(`INSERT INTO trades (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING RETURNING id`, params, tx))
        .length;
    }
    return landed;
  }
}
