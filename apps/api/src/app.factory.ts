import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import { EXTENSION_ID } from '@tradetally/contracts';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module.js';
import { ApiError } from './common/api-error.js';
import { NestPinoLogger, createLogger, httpLogger } from './common/logger.js';
import { metricsMiddleware, securityMiddleware, whenBody } from './common/http-pipeline.js';
import { MetricsService } from './common/metrics.service.js';
import { createOpenApiDocument } from './common/openapi.js';
import { ProblemFilter, problemMiddleware } from './common/problem.filter.js';
import type { AppConfig } from './config.js';

/** Body limits: generous where the contract carries bulk (leak text up to 1 MiB, CSV imports), tight elsewhere. */
const BODY_LIMITS: Array<[path: string, limit: string]> = [
  ['/v1/trades/import', '10mb'],
  ['/v1/leaks', '5mb'],
];
const DEFAULT_BODY_LIMIT = '100kb';

/** Options for tests and the benchmark. */
export interface CreateAppOptions {
  /** Where the JSON log goes (default stdout). */
  logStream?: DestinationStream;
}

/** Where the built settings page is: WEB_DIST, else apps/web/dist beside this app. */
function webDist(config: AppConfig): string {
  return config.WEB_DIST ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');
}

/** Builds the configured API (not yet listening). */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const logger = createLogger(config.LOG_LEVEL, options.logStream);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new NestPinoLogger(logger),
  });
  // false, a hop count, or the proxies' addresses: proxy-addr takes all three (security.md).
  app.set('trust proxy', config.TRUST_PROXY);
  app.set('query parser', 'simple');
  app.disable('x-powered-by');
  // Answers are per-user and mostly no-store: an ETag (a SHA-1 of every body) buys nothing here.
  app.set('etag', false);
  // Request lines are written at info: below that level pino-http would do its per-request work
  // (a child logger, listeners, a timer) only to write nothing, so it is not installed at all.
  if (logger.isLevelEnabled('info')) app.use(httpLogger(logger));
  app.use(metricsMiddleware(app.get(MetricsService)));
  // The page, the pinned extension, and CORS_ORIGINS: no other site or extension is echoed back.
  const origins = new Set([new URL(config.PUBLIC_URL).origin, `chrome-extension://${EXTENSION_ID}`, ...config.CORS_ORIGINS]);
  app.use(
    securityMiddleware({
      origin: (origin, done) => done(null, !origin || origins.has(origin)),
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'X-API-Key', 'Content-Type'],
      exposedHeaders: ['Retry-After'],
      maxAge: 600,
    }),
  );
  const bodies = express.Router();
  // GitHub signs the exact bytes of its secret scanning reports: that route gets them raw (a Buffer,
  // any content type), first, so the JSON parser of its /v1/leaks prefix below finds the body read.
  bodies.use('/v1/leaks/github', express.raw({ type: () => true, limit: '1mb' })); // MAX_GITHUB_REPORT_BYTES
  for (const [path, limit] of BODY_LIMITS) {
    bodies.use(path, express.json({ limit, strict: true }));
    bodies.use(path, express.text({ type: ['text/csv', 'text/plain'], limit }));
  }
  bodies.use(express.json({ limit: DEFAULT_BODY_LIMIT, strict: true }));
  app.use(whenBody(bodies));
  app.use(problemMiddleware);

  const dist = webDist(config);
  if (existsSync(join(dist, 'index.html'))) {
    // Only paths outside the API reach the disk: a stat per API request costs a third of throughput.
    const isApi = (path: string) => /^\/(v1|docs|metrics)(\/|$|-)/.test(path);
    const files = express.static(dist, { index: 'index.html', maxAge: '1h', setHeaders: (res, path) => path.endsWith('.html') && res.setHeader('Cache-Control', 'no-cache') });
    const site = express.Router();
    site.use(files);
    // The page routes on the client: any other GET for HTML that is not the API gets index.html.
    site.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || !req.accepts('html')) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(dist, 'index.html'));
    });
    app.use((req: Request, res: Response, next: NextFunction) => (isApi(req.path) ? next() : site(req, res, next)));
  }

  const document = createOpenApiDocument(app, config.PUBLIC_URL);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  app.useGlobalFilters(new ProblemFilter());
  // No enableShutdownHooks(): main.ts drains requests on SIGTERM first (common/graceful-stop.ts).
  (app.getHttpServer() as Server).on('clientError', answerParserError);
  return app;
}

/**
 * Errors Node's HTTP parser raises before any middleware runs (a header over 16 KiB, a malformed
 * request line) answered as problem details like every other error, instead of Node's bare reply.
 */
function answerParserError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const problem =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new ApiError('request_header_too_large', 'The request headers are too large.')
      : new ApiError('bad_request', 'The request could not be parsed as HTTP.');
  const body = JSON.stringify(problem.toProblem());
  const reason = problem.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${problem.status} ${reason}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}
