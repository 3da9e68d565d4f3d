import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { MetricsService } from '../common/metrics.service.js';
import { API_PATH, pathOf } from './paths.js';

type Timed = FastifyRequest & { startedAt?: bigint };

/**
 * Counts every request by method, matched route and status. The labelled children are looked up
 * once per (method, route, status) and kept: prom-client hashes a labels object on every call.
 */
export const requestMetrics = fp<{ metrics: MetricsService }>(
  (app, { metrics }, done) => {
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
    app.addHook('onRequest', (request: Timed, _reply, next) => {
      request.startedAt = process.hrtime.bigint();
      next();
    });
    app.addHook('onResponse', (request: Timed, reply, next) => {
      const url = request.routeOptions.url;
      // The settings page's routes (its files, its fallback) count as one: `static`.
      const route = url && !request.is404 && API_PATH.test(url) ? url : pathOf(request.url).startsWith('/v1') ? 'unmatched' : 'static';
      const child = childrenOf(request.method, route, reply.statusCode);
      child.count.inc();
      child.duration.observe(Number(process.hrtime.bigint() - (request.startedAt ?? process.hrtime.bigint())) / 1e9);
      next();
    });
    done();
  },
  { name: 'tradetally-metrics' },
);
