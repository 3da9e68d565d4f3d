import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useTestApi } from './testing/harness.js';

/** One request over its own keep-alive connection: status, headers and body, as Node's client sees them. */
function send(url: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// The rules security.md sets on every answer, proven on the answers Fastify makes outside a route:
// the preflight cors writes itself, a URL the router refuses, a body the parser refuses.
describe('the HTTP pipeline', () => {
  const suite = useTestApi('sqlite');

  it('sends the security headers on a preflight, which cors answers itself', async () => {
    const answer = await send(suite.api.url, 'OPTIONS', '/v1/trades', { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('answers a URL that does not decode 400 validation_failed, with the security and CORS headers', async () => {
    const answer = await send(suite.api.url, 'GET', '/v1/trades/%E0%A4%A', {});
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'validation_failed' });
    expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(answer.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(answer.headers.vary).toBe('Origin');
  });

  it('refuses JSON that is not an object or array, and a charset other than UTF-8, keeping the connection open', async () => {
    const scalar = await send(suite.api.url, 'POST', '/v1/auth/login', { 'content-type': 'application/json', connection: 'keep-alive' }, '"text"');
    expect(scalar.status).toBe(400);
    expect(JSON.parse(scalar.body)).toMatchObject({ code: 'validation_failed', detail: 'The request body is not valid JSON.' });
    expect(scalar.headers.connection).toBe('keep-alive');
    const latin1 = await send(suite.api.url, 'POST', '/v1/auth/login', { 'content-type': 'application/json; charset=latin1' }, '{}');
    expect(latin1.status).toBe(415);
    expect(JSON.parse(latin1.body)).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('routes a path parameter of any length to its route, whose guard answers first', async () => {
    const answer = await send(suite.api.url, 'GET', `/v1/trades/${'a'.repeat(150)}`, { authorization: 'Bearer not-a-token' });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'unauthenticated' });
  });

  it('routes a path with a trailing slash as the path without it', async () => {
    const answer = await send(suite.api.url, 'GET', '/v1/health/', {});
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok' });
  });
});
