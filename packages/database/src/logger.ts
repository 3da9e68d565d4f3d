// The one logger of the API and the worker: pino, with keys scrubbed from every line, written as
// JSON for machines or through pino-pretty for a person at a terminal.
import { createRequire } from 'node:module';
import { redactApiKeys } from '@tradetally/contracts';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import type { LogFormat } from './config.js';

const require = createRequire(import.meta.url);

/**
 * The format of this process's logs: `LOG_FORMAT` when set; otherwise readable when standard
 * output is a terminal (a person runs `npm start`) and JSON when it is not (a container, a file, a
 * log shipper, a test reading the output).
 */
export function chooseLogFormat(setting: LogFormat | undefined, stdoutIsTerminal: boolean): LogFormat {
  return setting ?? (stdoutIsTerminal ? 'pretty' : 'json');
}

/** `[context] ` for Nest's messages, `METHOD url status time` for request lines, then the message. */
function readableMessage(log: Record<string, unknown>, messageKey: string): string {
  const context = typeof log.context === 'string' ? `[${log.context}] ` : '';
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  const request = req?.method
    ? `${req.method} ${req.url ?? ''} ${res?.statusCode ?? ''} ${typeof log.responseTime === 'number' ? `${log.responseTime} ms ` : ''}`
    : '';
  return `${context}${request}${String(log[messageKey] ?? '')}`;
}

/** pino-pretty writing to `destination` (standard output by default), synchronously so no line is lost at exit. */
export function prettyStream(destination: NodeJS.WritableStream | number = 1): DestinationStream {
  // Loaded here, not at the top: a process logging JSON (every deployment) never loads it.
  const PinoPretty = require('pino-pretty') as typeof import('pino-pretty');
  return PinoPretty({
    destination,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,req,res,responseTime',
    messageFormat: readableMessage,
  });
}

/**
 * Where this process's logs go for `LOG_FORMAT` (`setting`): pino-pretty on standard output when the
 * format is pretty; undefined for JSON, which is pino's own output.
 */
export function logDestination(setting: LogFormat | undefined, stdoutIsTerminal = process.stdout.isTTY === true): DestinationStream | undefined {
  return chooseLogFormat(setting, stdoutIsTerminal) === 'pretty' ? prettyStream() : undefined;
}

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
 * The apps' pino logger, written to `stream` (JSON on standard output when none). Kept instead of
 * nestjs-pino: that module wraps the same libraries, but its request-scoped logger costs an
 * AsyncLocalStorage context per request on the key-checked path, and the key scrubbing below would
 * have to be wired into it anyway. Request headers are never logged (so no Authorization or
 * X-API-Key can leak); URLs, messages and error text pass through the key scrubber; secret-named
 * fields are censored. The scrub runs before the line is formatted, so it holds in both formats.
 */
export function createLogger(level: string, stream?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({ id: req.id, method: req.method, url: redactApiKeys(req.url ?? '') }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
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

/** Nest's own messages (start-up, errors, `new Logger(context)`) through the same pino logger; Nest takes it as its LoggerService. */
export class NestPinoLogger {
  constructor(private readonly logger: Logger) {}

  private write(level: 'fatal' | 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...(message as object) });
    else this.logger[level]({ context }, String(message));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
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
