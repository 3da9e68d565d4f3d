import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { type HttpLogger, pinoHttp } from 'pino-http';

// The logger itself (key scrubbing, JSON or readable output) is shared with the worker.
export { NestPinoLogger, createLogger, logDestination } from '@tradetally/database';

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
