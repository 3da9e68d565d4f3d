import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The security headers of every answer (security.md): helmet 8's defaults, written out once. Every
 * one is a constant, so the hook only copies them onto the reply.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;" +
    "object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'SAMEORIGIN',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
});

/** Puts the security headers on every answer, first of all hooks, so even a preflight has them. */
export const securityHeaders: FastifyPluginCallback = fp(
  (app, _options, done) => {
    app.addHook('onRequest', (_request, reply, next) => {
      reply.headers(SECURITY_HEADERS);
      next();
    });
    done();
  },
  { name: 'tradetally-security-headers' },
);
