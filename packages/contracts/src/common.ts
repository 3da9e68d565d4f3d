import { z } from 'zod';

/** An ISO-8601 timestamp in UTC as the API writes it (`2026-11-29T12:00:00.000Z`). */
export const TimestampSchema = z.iso.datetime();

/** An ISO-8601 timestamp a client may send: UTC or with an offset. */
export const TimestampInputSchema = z.iso.datetime({ offset: true });

/** A resource id (UUID). */
export const IdSchema = z.uuid();

/** Largest page a list answers. */
export const MAX_PAGE_LIMIT = 200;

/** Page size when `limit` is absent. */
export const DEFAULT_PAGE_LIMIT = 50;

/** `limit` and `cursor` of every list route. */
export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
  cursor: z.string().min(1).max(200).optional(),
});

/** `limit` and `cursor` of every list route. */
export type PageQuery = z.infer<typeof PageQuerySchema>;

/** The shape of every list answer: `{ data, nextCursor }`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

/** A list answer. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
