import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';

/** The header every answer carries (distribution.md "Request ids"). */
export const REQUEST_ID_HEADER = 'Request-Id';

/** A caller's id is kept when it is a token of at most 64 of these characters. */
const WELL_FORMED = /^[A-Za-z0-9._-]{1,64}$/;

function wellFormed(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && WELL_FORMED.test(value) ? value : undefined;
}

/**
 * A request's id: the caller's `Request-Id` or `X-Request-Id` when well formed, else a new UUID.
 * Fastify calls it once per request (its `genReqId`), so `request.id` is the id everywhere.
 */
export function requestIdOf(request: IncomingMessage): string {
  return wellFormed(request.headers['request-id']) ?? wellFormed(request.headers['x-request-id']) ?? randomUUID();
}

/** Node's request with the id Fastify gave it (read by the request log and the graceful stop). */
export type IdentifiedMessage = IncomingMessage & { id?: string };

/** Sends the request's id back on every answer routed through Fastify, and keeps it on Node's request. */
export const requestIds: FastifyPluginCallback = fp(
  (app, _options, done) => {
    app.addHook('onRequest', (request, reply, next) => {
      (request.raw as IdentifiedMessage).id = request.id;
      reply.header(REQUEST_ID_HEADER, request.id);
      next();
    });
    done();
  },
  { name: 'tradetally-request-ids' },
);
