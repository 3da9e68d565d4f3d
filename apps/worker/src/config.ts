import { CronTime } from 'cron';
import { z } from 'zod';
import { DEFAULT_UNUSED_DAYS } from '@tradetally/contracts';
import { ConfigError, daysSchema, parseEnv, redisRetryStrategy, sharedConfigShape } from '@tradetally/database';

/** Every environment variable the worker reads (operations.md), parsed once at start. */
export const WorkerConfigSchema = z
  .object({
    ...sharedConfigShape,
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
    /** `true`: no e-mail is sent, and production may start without SMTP_URL (each one is logged, without its content). */
    EMAIL_DISABLED: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    EMAIL_FROM: z.string().default('TradeTally Keys <no-reply@tradetally.local>'),
    SWEEP_CRON: z
      .string()
      .default('0 */5 * * * *')
      .superRefine((value, ctx) => {
        try {
          new CronTime(value);
        } catch {
          ctx.addIssue({ code: 'custom', message: 'is not a cron expression (5 or 6 fields, seconds first when 6)' });
        }
      }),
    REMINDER_DAYS: z
      .string()
      .default('30,7,1')
      .transform((value, ctx) => {
        const windows = value.split(',').map((part) => Number(part.trim()));
        if (windows.some((w) => !Number.isFinite(w) || w <= 0)) {
          ctx.addIssue({ code: 'custom', message: 'must be positive numbers of days, comma separated (e.g. 30,7,1)' });
          return z.NEVER;
        }
        return [...new Set(windows)].sort((a, b) => b - a);
      }),
    /** Days without use before a `key_unused` reminder; 0 turns it off; decimals allowed (lifecycle.md). */
    UNUSED_DAYS: daysSchema.default(DEFAULT_UNUSED_DAYS),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
    JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
    /** How long SIGTERM waits for active jobs before it hands them back to the queue (operations.md). */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  })
  .superRefine((config, ctx) => {
    // In production a missing SMTP_URL would silently swallow every confirmation and alert.
    if (config.NODE_ENV === 'production' && !config.SMTP_URL && !config.EMAIL_DISABLED) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when NODE_ENV=production (or set EMAIL_DISABLED=true to run without e-mail)' });
    }
  });

/** The worker's configuration. */
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

export { ConfigError };

/** Parses the environment; throws ConfigError naming each bad variable. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseEnv(WorkerConfigSchema, env);
}

let current: WorkerConfig | undefined;

/**
 * The configuration of this process, parsed on first use. Processor decorators read it when their
 * module loads, which main.ts does only after it has validated the environment.
 */
export function workerConfig(): WorkerConfig {
  current ??= loadWorkerConfig();
  return current;
}

/** ioredis options for a redis:// URL, as BullMQ's workers need them (no per-request retry limit). */
export function redisConnection(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    retryStrategy: redisRetryStrategy,
  };
}

/**
 * Options of every BullMQ worker: a job whose worker died is taken back after its lock lapses
 * (checked every half lock), up to three times before it fails.
 */
export const workerOptions = () => ({
  concurrency: workerConfig().WORKER_CONCURRENCY,
  lockDuration: workerConfig().JOB_LOCK_MS,
  stalledInterval: Math.max(1000, Math.floor(workerConfig().JOB_LOCK_MS / 2)),
  maxStalledCount: 3,
});
