import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { redactApiKeys } from '@tradetally/contracts';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { type HttpLogger, pinoHttp } from 'pino-http';

const SECRET_FIELDS = new Set(['password', 'secret', 'token', 'key', 'authorization', 'x-api-key', 'text', 'cookie']);

/** A bounded scrub of a log object's plain fields: key candidates redacted, secret-named fields censored. */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactApiKeys(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const isError = value instanceof Error;
  const proto = Object.getPrototypeOf(value);
  if (!isError && proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELDS.has(k.toLowerCase()) ? '[REDACTED]' : scrub(v, depth + 1);
  if (isError) {
    out.type = value.name;
    out.message = redactApiKeys(value.message);
    if (value.stack) out.stack = redactApiKeys(value.stack);
  }
  return out;
}

/**
 * The API's pino logger, with pino-http for requests. Kept instead of nestjs-pino: that module
 * wraps the same two libraries, but its request-scoped logger costs an AsyncLocalStorage context per
 * request on the key-checked path, and the key scrubbing below would have to be wired into it anyway.
 * Request headers are never logged (so no Authorization or X-API-Key can
 * leak); URLs, messages and error text pass through the key scrubber; secret-named fields are censored.
 */
export function createLogger(level: string, stream?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, url: redactApiKeys(req.url ?? '') }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: (err: Error) => scrub(err),
    },
    formatters: { log: (object: Record<string, unknown>) => scrub(object) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        const clean = args.map((arg) => (typeof arg === 'string' ? redactApiKeys(arg) : arg)) as Parameters<typeof method>;
        method.apply(this, clean);
      },
    },
  };
  return stream ? pino(options, stream) : pino(options);
}

type WithPrincipal = IncomingMessage & { principal?: { userId: string; apiKeyId: string | null } };

/** One log line per request, with who made it (user and key ids, never the credential). */
export function httpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    // Request lines are written at info: below that level, skip the per-request work entirely.
    customProps: (req: WithPrincipal) =>
      logger.isLevelEnabled('info') && req.principal ? { userId: req.principal.userId, apiKeyId: req.principal.apiKeyId } : {},
    autoLogging: { ignore: (req) => req.url === '/metrics' },
    wrapSerializers: false,
  });
}

/** Nest's own messages (start-up, errors) through the same pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...(message as object) });
    else this.logger[level]({ context }, String(message));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
}
