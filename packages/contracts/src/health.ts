import { z } from 'zod';

/** State of one dependency. */
export const DependencyStateSchema = z.enum(['ok', 'down']);

/** Answer of `GET /v1/health`: `degraded` while the database or the queue's Redis is down. */
export const HealthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: DependencyStateSchema,
  queue: DependencyStateSchema,
});

/** Answer of `GET /v1/health`. */
export type HealthResponse = z.infer<typeof HealthResponseSchema>;
