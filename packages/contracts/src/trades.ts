import { z } from 'zod';
import { IdSchema, PageQuerySchema, TimestampInputSchema, TimestampSchema, pageSchema } from './common.js';

/** A trade's side. */
export const TradeSideSchema = z.enum(['buy', 'sell']);

/** A journal entry: one execution. */
export const TradeSchema = z.object({
  id: IdSchema,
  symbol: z.string(),
  side: TradeSideSchema,
  quantity: z.number(),
  price: z.number(),
  fees: z.number(),
  executedAt: TimestampSchema,
  notes: z.string().nullable(),
  externalId: z.string().nullable(),
});

/** A journal entry: one execution. */
export type Trade = z.infer<typeof TradeSchema>;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** The writable fields of a trade, as `POST /v1/trades` and each import row take them. */
export const CreateTradeRequestSchema = z.strictObject({
  symbol: z
    .string()
    .trim()
    .min(1)
    .max(32)
    .regex(/^[A-Za-z0-9.:/_-]+$/, 'letters, digits and . : / _ - only'),
  side: TradeSideSchema,
  quantity: finite.positive(),
  price: finite.nonnegative(),
  fees: finite.nonnegative().default(0),
  executedAt: TimestampInputSchema,
  notes: z.string().max(2000).nullable().optional(),
  externalId: z.string().trim().min(1).max(200).nullable().optional(),
});

/** Body of `POST /v1/trades`. */
export type CreateTradeRequest = z.input<typeof CreateTradeRequestSchema>;

/** Body of `PATCH /v1/trades/:id`: any writable field, at least one. */
export const UpdateTradeRequestSchema = z
  .strictObject({
    symbol: CreateTradeRequestSchema.shape.symbol.optional(),
    side: TradeSideSchema.optional(),
    quantity: finite.positive().optional(),
    price: finite.nonnegative().optional(),
    fees: finite.nonnegative().optional(),
    executedAt: TimestampInputSchema.optional(),
    notes: z.string().max(2000).nullable().optional(),
    externalId: z.string().trim().min(1).max(200).nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');

/** Body of `PATCH /v1/trades/:id`. */
export type UpdateTradeRequest = z.input<typeof UpdateTradeRequestSchema>;

/** Query of `GET /v1/trades`: filters by symbol and `executedAt` range (`from` inclusive, `to` exclusive). */
export const ListTradesQuerySchema = PageQuerySchema.extend({
  symbol: z.string().trim().min(1).max(32).optional(),
  from: TimestampInputSchema.optional(),
  to: TimestampInputSchema.optional(),
});

/** Query of `GET /v1/trades`. */
export type ListTradesQuery = z.infer<typeof ListTradesQuerySchema>;

/** Answer of `GET /v1/trades`. */
export const TradePageSchema = pageSchema(TradeSchema);

/** Most rows one import takes. */
export const MAX_IMPORT_ROWS = 10_000;

/** The columns a CSV import understands; the first five are required. */
export const IMPORT_CSV_COLUMNS = ['symbol', 'side', 'quantity', 'price', 'executedAt', 'fees', 'notes', 'externalId'] as const;

/** JSON body of `POST /v1/trades/import`; rows are validated one by one, so bad rows do not sink good ones. */
export const ImportTradesJsonSchema = z.strictObject({
  trades: z.array(z.unknown()).min(1).max(MAX_IMPORT_ROWS),
});

/** A row that did not land: its 1-based line (CSV: header is line 1; JSON: index + 1). */
export const ImportErrorSchema = z.object({ line: z.number().int(), message: z.string() });

/** Answer of `POST /v1/trades/import`. */
export const ImportResultSchema = z.object({
  imported: z.number().int(),
  duplicates: z.number().int(),
  errors: z.array(ImportErrorSchema),
});

/** Answer of `POST /v1/trades/import`. */
export type ImportResult = z.infer<typeof ImportResultSchema>;
