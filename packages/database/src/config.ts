import { z } from 'zod';
import { parseDatabaseUrl } from './data-source.js';

/**
 * The environment variables the API and the worker share (operations.md), defined once: both
 * apps spread this shape into their own schema, so a default or a rule cannot drift between them.
 */

/** A number of days; decimals allowed (tests use windows of seconds). */
export const daysSchema = z.coerce.number().refine((n) => Number.isFinite(n) && n >= 0, 'must be a number of days (decimals allowed)');

/** `LOG_FORMAT`: `json` (one object a line) or `pretty` (readable, coloured on a terminal). */
export const LogFormatSchema = z.enum(['json', 'pretty']);

/** A log format. */
export type LogFormat = z.infer<typeof LogFormatSchema>;

/** The variables both apps read, with their defaults and rules. */
export const sharedConfigShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/tradetally.sqlite')
    .superRefine((value, ctx) => {
      try {
        parseDatabaseUrl(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  PUBLIC_URL: z.url().default('http://localhost:3000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: readable on a terminal, JSON otherwise (logger.ts). */
  LOG_FORMAT: LogFormatSchema.optional(),
  QUEUE_PREFIX: z.string().default('bull'),
  /** Days after creation a key is due for rotation; 0 turns it off. */
  ROTATION_AGE_DAYS: daysSchema.default(90),
};

/** Thrown for a bad environment; the message names every bad variable. */
export class ConfigError extends Error {}

/**
 * Parses the environment with `schema` (empty values count as unset); throws ConfigError naming
 * each bad variable, so nothing starts half-configured.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** How every Redis client of the project reconnects: soon, then every 2 s at most, forever. */
export const redisRetryStrategy = (times: number): number => Math.min(times * 200, 2000);
