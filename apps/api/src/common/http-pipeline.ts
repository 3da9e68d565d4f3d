import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import cors, { type CorsOptions } from 'cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { HttpLogger } from 'pino-http';
import { ApiError } from './api-error.js';
import type { MetricsService } from './metrics.service.js';

/**
 * The API's request pipeline on Fastify: security headers, CORS, body parsing and limits, metrics,
 * request logging and the settings page. What can be decided at start is decided at start (issue
 * 15: on Express, helmet, cors, six body parsers, the router's walk and per-request label objects
 * were most of a keyed request's CPU time).
 */

/** Paths that belong to the API; everything else is the settings page. */
const API_PATH = /^\/(v1|docs|metrics)(\/|$|-)/i;

/** Body limits: generous where the contract carries bulk (leak text up to 1 MiB, CSV imports), tight elsewhere. */
const KIB = 1024;
const DEFAULT_BODY_LIMIT = 100 * KIB;
const GITHUB_REPORTS = '/v1/leaks/github';
const MAX_GITHUB_REPORT_BYTES = 1024 * KIB;
const BODY_LIMITS: Array<[prefix: string, limit: number]> = [
  [GITHUB_REPORTS, MAX_GITHUB_REPORT_BYTES],
  ['/v1/trades/import', 10 * 1024 * KIB],
  ['/v1/leaks', 5 * 1024 * KIB],
];
/** Routes that take text/csv and text/plain bodies as text (CSV imports, leak text). */
const TEXT_PREFIXES = ['/v1/trades/import', '/v1/leaks'];

/** The path of a URL: what Express called `req.path` (no query string). */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Express's mount semantics: `/v1/leaks` covers `/v1/leaks` and `/v1/leaks/…`, in any letter case. */
function under(path: string, prefix: string): boolean {
  const lower = path.toLowerCase();
  return lower === prefix || lower.startsWith(`${prefix}/`);
}

/**
 * Helmet's default headers, taken once from helmet itself: every default directive is a constant,
 * so running helmet's middlewares on each request (as @fastify/helmet does) only rebuilds the same
 * list. Taking them from helmet rather than writing them out keeps them exactly helmet's.
 */
export function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string) {
      headers[name] = String(value);
    },
    removeHeader() {
      // X-Powered-By: Fastify sends none.
    },
  };
  let failed: unknown;
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failed = error;
  });
  if (failed || Object.keys(headers).length === 0) throw new Error(`helmet's headers could not be read at start: ${String(failed)}`);
  return headers;
}

/** What the pipeline needs to know. */
export interface PipelineOptions {
  /** Security headers and CORS (securityHook). */
  security: RequestHook;
  metrics: MetricsService;
  /** pino-http, when request lines are written at the configured level; null below it. */
  requestLog: HttpLogger | null;
  /** The built settings page, or null. */
  webDist: string | null;
}

type Timed = FastifyRequest & { startedAt?: bigint };

/** Installs the pipeline on `app`: call before routes are registered (the limits attach per route). */
export async function installPipeline(app: FastifyInstance, options: PipelineOptions): Promise<void> {
  installMetrics(app, options.metrics);
  if (options.requestLog) {
    const log = options.requestLog;
    // pino-http works on Node's own request and response, which Fastify keeps as `raw`.
    app.addHook('onRequest', (request, reply, done) => {
      log(request.raw, reply.raw);
      done();
    });
  }
  app.addHook('onRequest', options.security);
  installBodies(app);
  if (options.webDist && existsSync(join(options.webDist, 'index.html'))) await installSite(app, options.webDist);
}

/**
 * Counts every request by method, matched route and status. The labelled children are looked up
 * once per (method, route, status) and kept: prom-client hashes a labels object on every call.
 */
function installMetrics(app: FastifyInstance, metrics: MetricsService): void {
  type Children = { count: { inc(): void }; duration: { observe(value: number): void } };
  const children = new Map<string, Children>();
  const childrenOf = (method: string, route: string, status: number): Children => {
    const id = `${method} ${route} ${status}`;
    let found = children.get(id);
    if (!found) {
      found = { count: metrics.requests.labels(method, route, String(status)), duration: metrics.duration.labels(method, route) };
      children.set(id, found);
    }
    return found;
  };
  app.decorateRequest('startedAt', undefined);
  app.addHook('onRequest', (request: Timed, _reply, done) => {
    request.startedAt = process.hrtime.bigint();
    done();
  });
  app.addHook('onResponse', (request: Timed, reply, done) => {
    const url = request.routeOptions.url;
    // The settings page's routes (its files, its fallback) count as one: `static`.
    const route = url && !request.is404 && API_PATH.test(url) ? url : pathOf(request.url).startsWith('/v1') ? 'unmatched' : 'static';
    const child = childrenOf(request.method, route, reply.statusCode);
    child.count.inc();
    child.duration.observe(Number(process.hrtime.bigint() - (request.startedAt ?? process.hrtime.bigint())) / 1e9);
    done();
  });
}

/** A Fastify request hook. */
export type RequestHook = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void;

/**
 * Security headers and CORS, as one hook. A request without an Origin header (every API client but
 * a browser's cross-origin call) gets what the cors package gives it, precomputed: `Vary: Origin`
 * and the exposed headers, no Allow-Origin. Browser calls and preflights go through cors itself.
 * app.factory.ts also runs it for the requests Fastify's router refuses before any hook.
 */
export function securityHook(corsOptions: CorsOptions): RequestHook {
  const headers = helmetHeaders();
  const entries = Object.entries(headers);
  const corsMiddleware = cors(corsOptions);
  const exposed = Array.isArray(corsOptions.exposedHeaders) ? corsOptions.exposedHeaders.join(',') : corsOptions.exposedHeaders;
  return (request, reply, done) => {
    reply.headers(headers);
    if (request.headers.origin === undefined && request.method !== 'OPTIONS') {
      reply.header('Vary', 'Origin');
      if (exposed) reply.header('Access-Control-Expose-Headers', exposed);
      return done();
    }
    // cors writes to Node's response: its headers join Fastify's when the response is written,
    // and a preflight it answers itself (204), which Fastify must then leave alone; so the security
    // headers go on Node's response too, or that 204 would go out without them.
    for (const [name, value] of entries) reply.raw.setHeader(name, value);
    corsMiddleware(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
    if (reply.raw.writableEnded) reply.hijack();
  };
}

/** A media type's essence (`text/csv; charset=x` is `text/csv`), lower case. */
function mediaType(request: FastifyRequest): string {
  const header = request.headers['content-type'] ?? '';
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/** True when a request's Content-Type is `type` (Express's `req.is`). */
export function contentTypeIs(request: FastifyRequest, type: string): boolean {
  return mediaType(request) === type;
}

/** Body-parser's charset rule: UTF-8 (or none) only, else 415. */
function checkCharset(request: FastifyRequest): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw new ApiError('unsupported_media_type', 'The request body encoding is not supported.');
}

/** JSON as Express's strict parser took it: an object or array; an empty body is `{}`. */
function parseStrictJson(text: string): unknown {
  const first = /^[ \t\n\r]*(.)/.exec(text)?.[1];
  if (first === undefined) return {};
  if (first !== '{' && first !== '[') throw new ApiError('validation_failed', 'The request body is not valid JSON.');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('validation_failed', 'The request body is not valid JSON.');
  }
}

/** A body the parser refused, carried to the preValidation hook (see installBodies). */
class RefusedBody {
  constructor(readonly error: Error) {}
}

/**
 * One parser for every body: GitHub's reports stay the exact bytes GitHub signed (a Buffer, any
 * content type); JSON is parsed strictly; text/csv and text/plain are text where a route takes
 * text; any other type leaves the body unset, for the route to refuse. Each route's byte limit is
 * set on the route itself (Fastify stops reading there and answers 413).
 */
function installBodies(app: FastifyInstance): void {
  // A body that was read whole but is refused (not JSON, another charset) is answered from a later
  // hook, not from the parser: Fastify closes the connection after a parser error (the client might
  // still be sending), which a fully read body does not need. Too large a body still closes it.
  app.addHook('preValidation', (request, _reply, done) => done(request.body instanceof RefusedBody ? request.body.error : undefined));
  app.addHook('onRoute', (route) => {
    const path = route.url ?? route.path ?? '';
    route.bodyLimit ??= BODY_LIMITS.find(([prefix]) => under(path, prefix))?.[1] ?? DEFAULT_BODY_LIMIT;
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      const bytes = body as Buffer;
      const path = pathOf(request.url);
      if (under(path, GITHUB_REPORTS)) return done(null, bytes);
      const type = mediaType(request);
      if (type === 'application/json') {
        checkCharset(request);
        return done(null, parseStrictJson(bytes.toString('utf8')));
      }
      if ((type === 'text/csv' || type === 'text/plain') && TEXT_PREFIXES.some((prefix) => under(path, prefix))) {
        checkCharset(request);
        return done(null, bytes.toString('utf8'));
      }
      return done(null, undefined);
    } catch (error) {
      return done(null, new RefusedBody(error instanceof Error ? error : new Error(String(error))));
    }
  });
}

/** Express's `req.accepts('html')`: no Accept header, or one that takes text/html at q > 0. */
function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (!accept) return true;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q && !(Number(q.slice(2)) > 0)) return false;
    return type === 'text/html' || type === 'text/*' || type === '*/*';
  });
}

/**
 * The settings page: its files (each a route, found once at start: no API request reaches the
 * disk), and index.html for any other GET for HTML outside the API, since the page routes on the
 * client. Everything else falls through to the API's 404.
 */
async function installSite(app: FastifyInstance, dist: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: dist,
    wildcard: false,
    index: 'index.html',
    maxAge: '1h',
    setHeaders: (reply, path) => {
      if (path.endsWith('.html')) reply.header('Cache-Control', 'no-cache');
    },
  });
  app.get('/*', (request: FastifyRequest, reply: FastifyReply) => {
    if (API_PATH.test(pathOf(request.url)) || !acceptsHtml(request)) return reply.callNotFound();
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
  });
}
