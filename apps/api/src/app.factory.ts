import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module.js';
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

/** Builds the configured API (not yet listening). */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options.logStream), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');
  app.use(helmet());
  const origins = new Set([new URL(config.PUBLIC_URL).origin]);
  app.enableCors({
    origin: (origin, done) => done(null, !origin || origins.has(origin) || origin.startsWith('chrome-extension://')),
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'X-API-Key', 'Content-Type'],
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
  });
  for (const [path, limit] of BODY_LIMITS) {
    app.use(path, express.json({ limit, strict: true }));
    app.use(path, express.text({ type: ['text/csv', 'text/plain'], limit }));
  }
  app.use(express.json({ limit: DEFAULT_BODY_LIMIT, strict: true }));
  app.use(problemMiddleware);
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  return app;
}
