import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { HealthService } from '../modules/health/health.service.js';

const log = new Logger('Shutdown');

/**
 * Counts the requests in flight on `server` from now on, and on `stop()` drains them
 * (operations.md "Graceful stop"):
 * 1. stop accepting connections (a proxy in front moves on to another instance at once), and say
 *    `Connection: close` on every answer still to come, so keep-alive clients reconnect elsewhere;
 * 2. wait until every in-flight request has answered, or `timeoutMs` has passed;
 * 3. close the remaining connections, then the application (its database pool, Redis, queues).
 * Nest's own signal hooks are not used: they close the pools before requests finish and end the
 * process by re-raising the signal, where a graceful stop must exit 0.
 */
export function gracefulStop(app: NestExpressApplication, timeoutMs: number): (signal: string) => Promise<void> {
  const server = app.getHttpServer() as Server;
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  let drained: (() => void) | null = null;

  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    if (draining && !res.headersSent) res.setHeader('Connection', 'close');
    res.on('close', () => {
      inFlight.delete(res);
      if (inFlight.size === 0) drained?.();
    });
  });

  let stopping: Promise<void> | null = null;
  return (signal: string) => {
    stopping ??= (async () => {
      draining = true;
      app.get(HealthService).markDraining();
      log.log(`${signal}: no new connections; waiting for ${inFlight.size} request(s) in flight (up to ${timeoutMs} ms)`);
      server.close();
      server.closeIdleConnections();
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      if (inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const finished = await Promise.race([
          new Promise<boolean>((done) => (drained = () => done(true))),
          new Promise<boolean>((done) => (timer = setTimeout(() => done(false), timeoutMs))),
        ]);
        clearTimeout(timer);
        if (!finished) log.warn(`SHUTDOWN_TIMEOUT_MS passed with ${inFlight.size} request(s) unfinished: closing their connections`);
      }
      server.closeAllConnections();
      await app.close();
      log.log('stopped');
    })();
    return stopping;
  };
}
