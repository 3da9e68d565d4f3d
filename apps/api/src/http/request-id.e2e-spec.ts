import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids', () => {
  const env = useTestApi('sqlite');

  it('gives an answer a new Request-Id when the caller sent none', async () => {
    const first = await env.api.request('GET', '/v1/health');
    const second = await env.api.request('GET', '/v1/health');
    expect(first.headers.get('request-id')).toMatch(UUID);
    expect(second.headers.get('request-id')).toMatch(UUID);
    expect(first.headers.get('request-id')).not.toBe(second.headers.get('request-id'));
  });

  it("keeps the caller's well-formed Request-Id, else its X-Request-Id", async () => {
    const both = await env.api.request('GET', '/v1/health', { headers: { 'request-id': 'caller.id_1-A', 'x-request-id': 'other' } });
    expect(both.headers.get('request-id')).toBe('caller.id_1-A');
    const legacy = await env.api.request('GET', '/v1/health', { headers: { 'x-request-id': 'x'.repeat(64) } });
    expect(legacy.headers.get('request-id')).toBe('x'.repeat(64));
  });

  it('replaces an id that is too long or holds other characters', async () => {
    for (const sent of ['x'.repeat(65), 'has space', 'semi;colon', '<script>', '']) {
      const answer = await env.api.request('GET', '/v1/health', { headers: { 'request-id': sent } });
      expect(answer.headers.get('request-id')).toMatch(UUID);
    }
  });

  it('puts the id in the problem details and the request log line', async () => {
    const answer = await env.api.request('GET', '/v1/trades', { token: 'tt_live_not-a-key', headers: { 'x-request-id': 'trace-401' } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('request-id')).toBe('trace-401');
    expect(answer.body).toMatchObject({ code: 'invalid_api_key', requestId: 'trace-401' });
    const line = env.api.logs
      .map((text) => JSON.parse(text) as { req?: { id?: string; url?: string }; res?: { statusCode?: number } })
      .find((entry) => entry.req?.id === 'trace-401');
    expect(line).toMatchObject({ req: { url: '/v1/trades' }, res: { statusCode: 401 } });
  });

  it('sends the id on answers made outside a route: a preflight, a URL the router refuses, an unknown path', async () => {
    const preflight = await env.api.request('OPTIONS', '/v1/trades', {
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'request-id': 'pre-1' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('request-id')).toBe('pre-1');
    const badUrl = await env.api.request('GET', '/v1/trades/%E0%A4%A', { headers: { 'request-id': 'bad-url' } });
    expect(badUrl.status).toBe(400);
    expect(badUrl.headers.get('request-id')).toBe('bad-url');
    expect(badUrl.body).toMatchObject({ requestId: 'bad-url' });
    const missing = await env.api.request('GET', '/v1/nowhere', { headers: { 'request-id': 'nowhere' } });
    expect(missing.body).toMatchObject({ code: 'not_found', requestId: 'nowhere' });
  });

  it('lets a browser script read Request-Id (CORS exposed headers)', async () => {
    const answer = await env.api.request('GET', '/v1/health', { headers: { origin: 'http://localhost:3000' } });
    expect(answer.headers.get('access-control-expose-headers')?.split(/,\s*/)).toContain('Request-Id');
  });
});
