import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HealthService } from '../modules/health/health.service.js';
import { ApiError } from './api-error.js';
import { type IdentifiedMessage, REQUEST_ID_HEADER, requestIdOf } from '../http/request-id.js';
import { SECURITY_HEADERS } from '../http/security-headers.js';
import { writeProblem } from './problem.filter.js';

const log = new Logger('Shutdown');

/**
 * After the last answer, how long to wait for more requests on connections already open before
 * closing them. Connections that have never carried a request are waited for on their own (they
 * are a proxy that connected and is about to send; closing them would reset a request it sent).
 */
const LINGER_MS = 100;

/**
 * Counts the requests in flight on `server` from now on, and on `stop()` drains them
 * (operations.md "Graceful stop"):
 * 1. stop accepting connections (a proxy in front moves on to another instance at once), and say
 *    `Connection: close` on every answer still to come, so keep-alive clients reconnect elsewhere;
 * 2. wait until every in-flight request has answered, every connection accepted before the
 *    listener closed has sent its request (and been answered), and no new one arrived for LINGER_MS,
 *    or until `timeoutMs` has passed;
 * 3. answer what is still running 503 (outcome unknown), close the remaining connections, then the
 *    application (its database pool, Redis, queues).
 * Nest's own signal hooks are not used: they close the pools before requests finish and end the
 * process by re-raising the signal, where a graceful stop must exit 0.
 */
export function gracefulStop(app: NestFastifyApplication, timeoutMs: number): (signal: string) => Promise<void> {
  const server = app.getHttpServer() as Server;
  const inFlight = new Set<ServerResponse>();
  /** Accepted connections that have not sent a request yet. */
  const fresh = new Set<Socket>();
  let draining = false;
  let drained: (() => void) | null = null;
  const settle = () => {
    if (inFlight.size === 0 && fresh.size === 0) drained?.();
  };

  server.on('connection', (socket: Socket) => {
    fresh.add(socket);
    socket.once('close', () => {
      fresh.delete(socket);
      settle();
    });
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    fresh.delete(req.socket);
    inFlight.add(res);
    if (draining && !res.headersSent) res.setHeader('Connection', 'close');
    res.on('close', () => {
      inFlight.delete(res);
      settle();
    });
  });

  let stopping: Promise<void> | null = null;
  return (signal: string) => {
    stopping ??= (async () => {
      draining = true;
      app.get(HealthService).markDraining();
      log.log(`${signal}: no new connections; waiting for ${inFlight.size} request(s) in flight (up to ${timeoutMs} ms)`);
      // net.Server's close, not http.Server's: the latter also drops connections that have no
      // request *yet*, which are requests a proxy has already sent (see `fresh`).
      NetServer.prototype.close.call(server);
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const deadline = Date.now() + timeoutMs;
      const wait = (ms: number, untilDrained: boolean) =>
        new Promise<void>((done) => {
          const timer = setTimeout(done, Math.max(0, Math.min(ms, deadline - Date.now())));
          if (untilDrained)
            drained = () => {
              clearTimeout(timer);
              done();
            };
        }).finally(() => (drained = null));
      while (Date.now() < deadline) {
        if (inFlight.size > 0 || fresh.size > 0) await wait(Infinity, true);
        await wait(LINGER_MS, false);
        if (inFlight.size === 0 && fresh.size === 0) break;
      }
      if (inFlight.size > 0) {
        log.warn(`SHUTDOWN_TIMEOUT_MS passed with ${inFlight.size} request(s) unfinished: answering them 503`);
        // An answer, not a reset: a proxy may resend a request whose connection was reset (nginx
        // does, for connection errors), and this one may have done its work already.
        // Written on Node's response, outside Fastify's reply: so with the security headers here.
        const stopped = new ApiError('service_unavailable', 'The instance stopped before this request finished; its outcome is unknown.', undefined, {
          ...SECURITY_HEADERS,
          'Retry-After': '1',
          Connection: 'close',
        });
        for (const res of inFlight) {
          if (res.headersSent) continue;
          const id = (res.req as IdentifiedMessage).id ?? requestIdOf(res.req);
          res.setHeader(REQUEST_ID_HEADER, id);
          writeProblem(res, stopped, id);
        }
      }
      server.closeAllConnections();
      await app.close();
      log.log('stopped');
    })();
    return stopping;
  };
}
