import fastifyCors from '@fastify/cors';
import { EXTENSION_ID, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '@tradetally/contracts';
import fp from 'fastify-plugin';
import { REQUEST_ID_HEADER } from './request-id.js';

/** The response headers a browser script may read. */
export const EXPOSED_HEADERS = ['Retry-After', REQUEST_ID_HEADER, IDEMPOTENT_REPLAYED_HEADER];

export interface CorsOptions {
  /** The settings page's URL (PUBLIC_URL). */
  publicUrl: string;
  /** Further allowed origins (CORS_ORIGINS). */
  origins: readonly string[];
}

/**
 * CORS through @fastify/cors: the settings page, the pinned extension and CORS_ORIGINS are echoed
 * back; any other site or extension gets no CORS headers and its preflight a 404. A request without
 * an Origin header (every API client but a browser's cross-origin call) gets `Vary: Origin` and the
 * exposed headers.
 */
export const cors = fp<CorsOptions>(
  async (app, options) => {
    const allowed = new Set([new URL(options.publicUrl).origin, `chrome-extension://${EXTENSION_ID}`, ...options.origins]);
    await app.register(fastifyCors, {
      origin: (origin, answer) => answer(null, origin === undefined || allowed.has(origin)),
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'X-API-Key', 'Content-Type', REQUEST_ID_HEADER, 'X-Request-Id', IDEMPOTENCY_KEY_HEADER],
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    });
  },
  { name: 'tradetally-cors' },
);
