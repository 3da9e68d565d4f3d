import fp from 'fastify-plugin';
import type { HttpLogger } from 'pino-http';

/**
 * One log line per request (common/logger.ts's `httpLogger`), carrying the request's id: pino-http
 * takes the id it finds on Node's request, where request-id.ts puts Fastify's (registered first).
 */
export const requestLog = fp<{ log: HttpLogger }>(
  (app, { log }, done) => {
    app.addHook('onRequest', (request, reply, next) => {
      log(request.raw, reply.raw);
      next();
    });
    done();
  },
  { name: 'tradetally-request-log' },
);
