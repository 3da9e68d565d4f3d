import { z } from 'zod';
import { IdSchema } from './common.js';

/** Largest `text` a leak report may carry (1 MiB of characters). */
export const MAX_LEAK_TEXT_LENGTH = 1024 * 1024;

/** Where a leaked key was seen (`scan`: the command-line scanner, scanning.md). */
export const LeakSourceSchema = z.enum(['paste', 'page', 'manual', 'scan']);

/** Where a leaked key was seen. */
export type LeakSource = z.infer<typeof LeakSourceSchema>;

/** Where a leak was reported from, as the audit trail records it: a report's source, or GitHub's partner program. */
export type LeakOrigin = LeakSource | 'github';

/** Body of `POST /v1/leaks`: a key, a text holding keys, or both. */
export const LeakReportRequestSchema = z
  .strictObject({
    key: z.string().max(200).optional(),
    text: z.string().max(MAX_LEAK_TEXT_LENGTH).optional(),
    url: z.url().max(2048).optional(),
    source: LeakSourceSchema,
  })
  .refine((body) => body.key !== undefined || body.text !== undefined, 'give a key or a text');

/** Body of `POST /v1/leaks`. */
export type LeakReportRequest = z.infer<typeof LeakReportRequestSchema>;

/** Answer of `POST /v1/leaks`: the same for hit and miss; `revoked` only for the keys' owner's session. */
export const LeakReportResponseSchema = z.object({
  received: z.literal(true),
  revoked: z.array(IdSchema).optional(),
});

/** Answer of `POST /v1/leaks`. */
export type LeakReportResponse = z.infer<typeof LeakReportResponseSchema>;
