import type { Duplex } from 'node:stream';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { EXTENSION_ID } from '@tradetally/contracts';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module.js';
import { ApiError } from './common/api-error.js';
import { installPipeline, securityHook } from './common/http-pipeline.js';
import { NestPinoLogger, createLogger, httpLogger, logDestination } from './common/logger.js';
import { MetricsService } from './common/metrics.service.js';
import { createOpenApiDocument } from './common/openapi.js';
import { ProblemFilter, sendProblem } from './common/problem.filter.js';
import type { TrustProxy } from './common/client-address.js';
import type { AppConfig } from './config.js';

/** Options for tests and the benchmark. */
export interface CreateAppOptions {
  /** Where the JSON log goes (default stdout). */
  logStream?: DestinationStream;
}

/** Where the built settings page is: WEB_DIST, else apps/web/dist beside this app. */
function webDist(config: AppConfig): string {
  return config.WEB_DIST ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');
}

/**
 * TRUST_PROXY as proxy-addr takes it, with Express's meaning for each form (security.md "Client
 * address"): false, the proxies' addresses and CIDRs, or a hop count, which Express reads as "trust
 * the nearest n hops". Fastify refuses a bare number (it trusts no hop then), so the count is
 * given as the function Express itself builds from it.
 */
function trustProxyOf(trust: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

/**
 * Builds the configured API (not yet listening), on Fastify: on Express the framework, not the key
 * check, was three quarters of a keyed request's cost (issue 15, bench/baseline.bench.mjs).
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = createLogger(config.LOG_LEVEL, options.logStream ?? logDestination(config.LOG_FORMAT));
  // The page, the pinned extension, and CORS_ORIGINS: no other site or extension is echoed back.
  const origins = new Set([new URL(config.PUBLIC_URL).origin, `chrome-extension://${EXTENSION_ID}`, ...config.CORS_ORIGINS]);
  const security = securityHook({
    origin: (origin, done) => done(null, !origin || origins.has(origin)),
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'X-API-Key', 'Content-Type', 'Idempotency-Key'],
    exposedHeaders: ['Retry-After', 'Idempotent-Replayed'],
    maxAge: 600,
  });
  const adapter = new FastifyAdapter({
    trustProxy: trustProxyOf(config.TRUST_PROXY),
    // Express's routing: letter case and a trailing slash do not make another route, and a path
    // parameter of any length still reaches its route (whose guard and id check answer it: 401,
    // 404) instead of making the route vanish past find-my-way's default 100 characters. The
    // parameters are plain segments, never regular expressions, and Node caps a URL at 16 KiB.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // Node's default, which Express kept (Fastify's own is 72 s): proxies in front are set for it.
    keepAliveTimeout: 5000,
    clientErrorHandler: answerParserError,
    // A malformed URL is refused by the router before any hook: still a problem, with the headers.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => security(request, reply, () => sendProblem(reply, error)),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bodyParser: false,
    logger: new NestPinoLogger(logger),
  });
  await installPipeline(app.getHttpAdapter().getInstance(), {
    security,
    metrics: app.get(MetricsService),
    // Request lines are written at info: below that level pino-http would do its per-request work
    // (a child logger, listeners, a timer) only to write nothing, so it is not installed at all.
    requestLog: logger.isLevelEnabled('info') ? httpLogger(logger) : null,
    webDist: webDist(config),
  });

  const document = createOpenApiDocument(app, config.PUBLIC_URL);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  app.useGlobalFilters(new ProblemFilter());
  // No enableShutdownHooks(): main.ts drains requests on SIGTERM first (common/graceful-stop.ts).
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
