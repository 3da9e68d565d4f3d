import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../common/api-error.js';

/** How a route takes its body, declared on the route (`@Route({ bodyOptions })`). */
export interface BodyOptions {
  /** The most bytes the route reads; past it the answer is 413 (default 100 KiB). */
  limit?: number;
  /** The exact bytes, as a Buffer, whatever the content type (signed GitHub reports). */
  raw?: boolean;
  /** text/csv and text/plain bodies as a string (CSV imports, leak text). */
  text?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    body?: BodyOptions;
  }
}

export const KIB = 1024;
export const MIB = 1024 * KIB;
const DEFAULT_BODY_LIMIT = 100 * KIB;

/** A media type's essence (`text/csv; charset=x` is `text/csv`), lower case. */
function mediaType(request: FastifyRequest): string {
  const header = request.headers['content-type'] ?? '';
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/** True when a request's Content-Type is `type`. */
export function contentTypeIs(request: FastifyRequest, type: string): boolean {
  return mediaType(request) === type;
}

/** UTF-8 (or no charset) only, else 415. */
function checkCharset(request: FastifyRequest): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw new ApiError('unsupported_media_type', 'The request body encoding is not supported.');
}

/** Strict JSON: an object or array; an empty body is `{}`. */
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

/** A body the parser refused, carried to the preValidation hook (see below). */
class RefusedBody {
  constructor(readonly error: Error) {}
}

/**
 * One parser for every body, driven by the route's `body` options: raw routes get the exact bytes;
 * JSON is parsed strictly; text/csv and text/plain are text where the route takes text; any other
 * type leaves the body unset, for the route to refuse. Each route's byte limit comes from its
 * options (Fastify stops reading there and answers 413).
 */
export const bodies: FastifyPluginCallback = fp(
  (app, _options, done) => {
    // A body that was read whole but is refused (not JSON, another charset) is answered from a
    // later hook, not from the parser: Fastify closes the connection after a parser error, which a
    // fully read body does not need.
    app.addHook('preValidation', (request, _reply, next) => next(request.body instanceof RefusedBody ? request.body.error : undefined));
    app.addHook('onRoute', (route) => {
      route.bodyLimit ??= route.config?.body?.limit ?? DEFAULT_BODY_LIMIT;
    });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, next) => {
      try {
        const bytes = body as Buffer;
        const options = request.routeOptions.config.body;
        if (options?.raw) return next(null, bytes);
        const type = mediaType(request);
        if (type === 'application/json') {
          checkCharset(request);
          return next(null, parseStrictJson(bytes.toString('utf8')));
        }
        if ((type === 'text/csv' || type === 'text/plain') && options?.text) {
          checkCharset(request);
          return next(null, bytes.toString('utf8'));
        }
        return next(null, undefined);
      } catch (error) {
        return next(null, new RefusedBody(error instanceof Error ? error : new Error(String(error))));
      }
    });
    done();
  },
  { name: 'tradetally-bodies' },
);
