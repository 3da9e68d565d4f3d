import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactApiKeys } from '@tradetally/contracts';
import type { Options } from 'pino-http';

const SECRET_FIELDS = ['password', 'secret', 'token', 'key', 'authorization', 'x-api-key', 'text'];

/** A shallow, allocation-free-when-clean scrub of one log object's own string fields. */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactApiKeys(value);
  if (depth > 3 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null && !(value instanceof Error)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELDS.includes(k.toLowerCase()) ? '[REDACTED]' : scrub(v, depth + 1);
  }
  if (value instanceof Error) {
    out.message = redactApiKeys(value.message);
    if (value.stack) out.stack = redactApiKeys(value.stack);
  }
  return out;
}

/**
 * pino-http options. Headers are never logged (so no Authorization or X-API-Key can leak); the URL,
 * messages and error text pass through the key scrubber; fields named like secrets are censored.
 */
export function loggerOptions(level: string): Options {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'password', 'secret', '*.password', '*.secret'],
      censor: '[REDACTED]',
    },
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, url: redactApiKeys(req.url ?? '') }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: (err: Error) => scrub(err),
    },
    formatters: { log: (object: Record<string, unknown>) => scrub(object) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactApiKeys(arg) : arg)) as Parameters<typeof method>);
      },
    },
    customProps: (req: IncomingMessage & { principal?: { userId: string; apiKeyId: string | null } }) =>
      req.principal ? { userId: req.principal.userId, apiKeyId: req.principal.apiKeyId } : {},
    autoLogging: { ignore: (req) => req.url === '/metrics' },
  };
}
