import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { API_PATH, pathOf } from './paths.js';

/** True when a request has no Accept header, or one that takes text/html at q > 0. */
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
 * The settings page, when `dist` holds a build: its files (each a route, found once at start: no
 * API request reaches the disk), and index.html for any other GET for HTML outside the API, since
 * the page routes on the client. Everything else falls through to the API's 404.
 */
export const site = fp<{ dist: string }>(
  async (app, { dist }) => {
    if (!existsSync(join(dist, 'index.html'))) return;
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
  },
  { name: 'tradetally-site' },
);
