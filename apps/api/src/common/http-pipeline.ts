import type { IncomingMessage, ServerResponse } from 'node:http';
import cors, { type CorsOptions } from 'cors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { MetricsService } from './metrics.service.js';

/**
 * The per-request middleware of the API, built so that what can be decided at start is decided at
 * start (issue 15: before this, helmet, cors, six body parsers and per-request label objects were
 * a third of a keyed request's CPU time).
 */

/**
 * Helmet's default headers, taken once from helmet itself: every default directive is a constant,
 * so running helmet's eleven middlewares on each request only rebuilt the same list. Taking them
 * from helmet (rather than writing them out) keeps them exactly what helmet would send.
 */
export function helmetHeaders(): ReadonlyArray<readonly [string, string]> {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader(name: string, value: string) {
      headers.push([name, String(value)]);
    },
    removeHeader() {
      // X-Powered-By: express's own header is disabled in app.factory.ts, so there is none to remove.
    },
  };
  let failed: unknown;
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failed = error;
  });
  if (failed || headers.length === 0) throw new Error(`helmet's headers could not be read at start: ${String(failed)}`);
  return headers;
}

/**
 * Security headers and CORS in one step. A request without an Origin header (every API client but
 * a browser's cross-origin call) gets what the cors package gives it, precomputed: `Vary: Origin`
 * and the exposed headers, no Allow-Origin. Browser calls and preflights still go through cors.
 */
export function securityMiddleware(corsOptions: CorsOptions): RequestHandler {
  const headers = helmetHeaders();
  const corsMiddleware = cors(corsOptions);
  const exposed = Array.isArray(corsOptions.exposedHeaders) ? corsOptions.exposedHeaders.join(',') : corsOptions.exposedHeaders;
  return (req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    if (req.headers.origin !== undefined || req.method === 'OPTIONS') return corsMiddleware(req, res, next);
    // Nothing earlier in the chain sets Vary, so cors's vary() would set exactly this.
    res.setHeader('Vary', 'Origin');
    if (exposed) res.setHeader('Access-Control-Expose-Headers', exposed);
    next();
  };
}

/** A request with a body, as body-parser decides it (type-is's hasBody). */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']));
}

/**
 * The body parsers (a router of them, with express's own path matching) run only for requests
 * that carry a body: each of them would find none on a GET and pass it on, but only after a walk
 * through every one of their layers.
 */
export function whenBody(parsers: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => (hasBody(req) ? parsers(req, res, next) : next());
}

/**
 * Counts every request by method, matched route and status. The labelled children are looked up
 * once per (method, route, status) and kept: prom-client hashes a labels object on every call.
 */
export function metricsMiddleware(metrics: MetricsService): RequestHandler {
  type Children = { count: { inc(): void }; duration: { observe(value: number): void } };
  const children = new Map<string, Children>();
  const childrenOf = (method: string, route: string, status: string): Children => {
    const id = `${method} ${route} ${status}`;
    let found = children.get(id);
    if (!found) {
      found = { count: metrics.requests.labels(method, route, status), duration: metrics.duration.labels(method, route) };
      children.set(id, found);
    }
    return found;
  };
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : req.path.startsWith('/v1') ? 'unmatched' : 'static';
      const child = childrenOf(req.method, route, String(res.statusCode));
      child.count.inc();
      child.duration.observe(Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}
