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

/** Answer of `GET /v1/health/live`: the process runs and serves HTTP. */
export const LivenessResponseSchema = z.object({ status: z.literal('ok') });

/** Answer of `GET /v1/health/live`. */
export type LivenessResponse = z.infer<typeof LivenessResponseSchema>;

/** Answer of `GET /v1/health/ready` when 200: the database answers and its schema is current (else 503 `service_unavailable`). */
export const ReadinessResponseSchema = z.object({ status: z.literal('ok'), database: z.literal('ok'), schema: z.literal('current') });

/** Answer of `GET /v1/health/ready` when 200. */
export type ReadinessResponse = z.infer<typeof ReadinessResponseSchema>;
