import type { IncomingMessage } from 'node:http';
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../common/api-error.js';

/** How much of a refused body is read and discarded before the answer goes out (security.md). */
const DRAIN_BYTES = 16 * 1024 * 1024;
const DRAIN_MS = 10_000;

/**
 * Reads and discards what is left of a request's body; true when it ended within the caps, false
 * when it went past them (or the client went away), and then stops reading.
 */
function discardRest(request: IncomingMessage): Promise<boolean> {
  return new Promise((resolve) => {
    let left = DRAIN_BYTES;
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      if (!drained) request.pause();
      resolve(drained);
    };
    const onData = (chunk: Buffer) => {
      left -= chunk.length;
      if (left < 0) finish(false);
    };
    const onEnd = () => finish(true);
    const onGone = () => finish(false);
    const timer = setTimeout(onGone, DRAIN_MS);
    request.on('data', onData).once('end', onEnd).once('error', onGone).once('close', onGone);
    request.resume();
  });
}

/**
 * An answer given before the request's body was read (401 on a bodyless route, 404, 413 past a
 * route's limit) goes out once the rest of the body is read and discarded, up to 16 MiB or 10 s:
 * a client still uploading then reads its problem details instead of a reset (EPIPE, ECONNRESET).
 * Past the caps the answer goes out with `Connection: close`, and the connection closes after it.
 */
export const drainRefusedBodies: FastifyPluginCallback = fp(
  (app, _options, done) => {
    // A body sent to no route is refused before it is read (else it would meet a limit first: 413).
    app.addHook('onRequest', (request, _reply, next) => {
      const { headers } = request;
      const hasBody = headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
      next(request.is404 && hasBody ? new ApiError('not_found', 'No such route.') : undefined);
    });
    app.addHook('onSend', (request, reply, payload, next) => {
      const raw = request.raw;
      if (raw.complete || raw.readableEnded) return next(null, payload);
      void discardRest(raw).then((drained) => {
        if (!drained) reply.header('Connection', 'close');
        next(null, payload);
      });
    });
    done();
  },
  { name: 'tradetally-drain-refused-bodies' },
);
