import { z } from 'zod';
import { ConfigError, type Pepper, parseEnv, parsePeppers, sharedConfigShape } from '@tradetally/database';
import { isLoopback, parseTrustProxy } from './common/client-address.js';

const DEV_PEPPER = 'tradetally-development-pepper-do-not-use-in-production';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every environment variable the API reads (operations.md), parsed once at start. */
export const ConfigSchema = z
  .object({
    ...sharedConfigShape,
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Unset: loopback, or every interface with NODE_ENV=production (security.md "Bind address"). */
    HOST: z.string().min(1).optional(),
    TT_KEY_PEPPER: z.string().min(32, 'must be at least 32 characters').optional(),
    /** `id:secret,id:secret,…`, current first (operations.md "Pepper rotation"); replaces TT_KEY_PEPPER. */
    TT_KEY_PEPPERS: z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return undefined;
        try {
          return parsePeppers(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    /** How often usage counts are rolled up into the database; 0 turns counting off. */
    USAGE_FLUSH_SECONDS: z.coerce.number().min(0).default(60),
    SESSION_TTL_HOURS: positiveInt(168),
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((value, ctx) => {
        try {
          return parseTrustProxy(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value, ctx) => {
        const origins: string[] = [];
        for (const item of value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          try {
            const url = new URL(item);
            // WHATWG URL gives extension schemes an opaque ("null") origin; browsers send scheme://id.
            const extension = /^(chrome|moz)-extension:$/.test(url.protocol) && url.host !== '';
            if (!extension && !/^https?:$/.test(url.protocol)) throw new Error('not an origin');
            origins.push(extension ? `${url.protocol}//${url.host}` : url.origin);
          } catch {
            ctx.addIssue({ code: 'custom', message: `"${item}" is not an origin such as https://example.com or chrome-extension://<id>` });
          }
        }
        return origins;
      }),
    /** A leak report answers no sooner than this, so a hit and a miss take the same time (security.md). */
    LEAK_REPORT_FLOOR_MS: z.coerce.number().int().min(0).max(5000).default(75),
    /** Successful self-rotations per key lineage per rolling hour; beyond, 429 (security.md "Self-rotation and leaks"). */
    SELF_ROTATE_PER_HOUR: positiveInt(6),
    /** Password hashes computed at once (argon2id is CPU- and memory-bound; key checks must not wait for it). */
    PASSWORD_HASH_CONCURRENCY: positiveInt(1),
    /** Sign-ins that may wait for a hash slot; beyond that they answer 429 at once. */
    PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).default(1000),
    /** How long a sign-in may wait for a hash slot before it answers 429. */
    PASSWORD_HASH_WAIT_MS: z.coerce.number().int().min(0).default(10_000),
    WEB_DIST: z.string().optional(),
    /** Failed sign-ins per (account, address): failures from elsewhere never lock the owner out. */
    RATE_LIMIT_LOGIN_PER_ACCOUNT: positiveInt(10),
    /** Failed sign-ins per account from anywhere: stops a distributed guess. */
    RATE_LIMIT_LOGIN_ACCOUNT_CEILING: positiveInt(100),
    RATE_LIMIT_EMAIL_RESEND_PER_ACCOUNT: positiveInt(3),
    /** Key lookups (`POST /v1/api-keys/lookup`) per session per minute. */
    RATE_LIMIT_LOOKUP_PER_SESSION: positiveInt(60),
    RATE_LIMIT_EMAIL_RESEND_WINDOW_SECONDS: positiveInt(3600),
    RATE_LIMIT_LOGIN_PER_ADDRESS: positiveInt(100),
    RATE_LIMIT_LOGIN_WINDOW_SECONDS: positiveInt(900),
    RATE_LIMIT_REGISTER_PER_ADDRESS: positiveInt(20),
    RATE_LIMIT_REGISTER_WINDOW_SECONDS: positiveInt(3600),
    RATE_LIMIT_LEAKS_PER_ADDRESS: positiveInt(60),
    RATE_LIMIT_LEAKS_WINDOW_SECONDS: positiveInt(60),
    RATE_LIMIT_KEY_FAILURES_PER_ADDRESS: positiveInt(60),
    RATE_LIMIT_KEY_FAILURES_WINDOW_SECONDS: positiveInt(60),
    RATE_LIMIT_PREFIX: z.string().default('tt:rl'),
    /** GitHub's secret scanning signing keys, for POST /v1/leaks/github (scanning.md). */
    GITHUB_KEYS_URL: z.url().default('https://api.github.com/meta/public_keys/secret_scanning'),
    /** Optional GitHub token for fetching those keys (GitHub's higher limit for authenticated calls); sent only to GITHUB_KEYS_URL. */
    GITHUB_TOKEN: z.string().min(1).optional(),
    /** How long SIGTERM waits for in-flight requests before it closes what is left (operations.md). */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && !config.TT_KEY_PEPPER && !config.TT_KEY_PEPPERS) {
      ctx.addIssue({ code: 'custom', path: ['TT_KEY_PEPPER'], message: 'is required when NODE_ENV=production (or TT_KEY_PEPPERS)' });
    }
    // The development pepper is public (it is in this file): keys hashed with it are only safe on a
    // machine nobody else reaches, whatever NODE_ENV says.
    if (config.HOST !== undefined && !isLoopbackHost(config.HOST) && !config.TT_KEY_PEPPER && !config.TT_KEY_PEPPERS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HOST'],
        message: `"${config.HOST}" is reachable from other machines, and no TT_KEY_PEPPER (or TT_KEY_PEPPERS) is set: the development pepper is public; set a pepper or bind a loopback address`,
      });
    }
    if (config.TT_KEY_PEPPER && config.TT_KEY_PEPPERS) {
      ctx.addIssue({ code: 'custom', path: ['TT_KEY_PEPPERS'], message: 'replaces TT_KEY_PEPPER: set one of them (TT_KEY_PEPPER=x is TT_KEY_PEPPERS=1:x)' });
    }
  });

/** True for a bind address only this machine reaches: `localhost`, 127.0.0.0/8, `::1`. */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopback(host.replace(/^\[|\]$/g, ''));
}

/**
 * The API's configuration. `peppers` is never empty (current first; a single TT_KEY_PEPPER is id
 * "1"); `devPepper` says it is the development default; `host` is the bind address.
 */
export type AppConfig = z.infer<typeof ConfigSchema> & { peppers: Pepper[]; devPepper: boolean; host: string };

export { ConfigError };

/** Parses the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const data = parseEnv(ConfigSchema, env);
  const peppers = data.TT_KEY_PEPPERS ?? [{ id: '1', secret: data.TT_KEY_PEPPER ?? DEV_PEPPER }];
  const host = data.HOST ?? (data.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1');
  return { ...data, peppers, devPepper: !data.TT_KEY_PEPPER && !data.TT_KEY_PEPPERS, host };
}
