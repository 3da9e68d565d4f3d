import { EXTENSION_ID, type HealthResponse, type RotateApiKeyResponse, generateApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { useTestApi } from './testing/harness.js';

describe('the API around the routes', () => {
  const suite = useTestApi('sqlite');

  it('answers /v1/health ok with the database and the queue up', async () => {
    const answer = await suite.api.request<HealthResponse>('GET', '/v1/health');
    expect(answer.body).toEqual({ status: 'ok', database: 'ok', queue: 'ok' });
  });

  it('serves an OpenAPI 3 document generated from the routes, and the docs page', async () => {
    const answer = await suite.api.request<{ openapi: string; paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json');
    expect(answer.body.openapi).toMatch(/^3\./);
    for (const path of [
      '/v1/auth/register',
      '/v1/api-keys',
      '/v1/api-keys/{id}/rotate',
      '/v1/trades',
      '/v1/trades/import',
      '/v1/leaks',
      '/v1/notifications',
      '/v1/audit-events',
      '/v1/health',
    ]) {
      expect(answer.body.paths, path).toHaveProperty([path]);
    }
    const create = answer.body.paths['/v1/api-keys']?.post as {
      requestBody: { content: Record<string, { schema: { properties: object; additionalProperties: boolean } }> };
    };
    expect(Object.keys(create.requestBody.content['application/json']!.schema.properties).sort()).toEqual([
      'allowedIps',
      'canary',
      'environment',
      'expiresAt',
      'name',
      'scope',
      'selfRotate',
    ]);
    expect(create.requestBody.content['application/json']!.schema.additionalProperties).toBe(false);
    const page = await fetch(`${suite.api.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });

  it('counts requests and key checks by result at /metrics', async () => {
    const { token } = await suite.api.signUp();
    const { secret } = await suite.api.createKey(token);
    await suite.api.request('GET', '/v1/trades', { token: secret });
    await suite.api.request('GET', '/v1/trades', { token: `${secret.slice(0, -1)}0` });
    const text = (await suite.api.request('GET', '/metrics')).text;
    expect(text).toMatch(/tradetally_api_key_checks_total\{result="ok"\} [1-9]/);
    expect(text).toMatch(/tradetally_api_key_checks_total\{result="invalid"\} [1-9]/);
    expect(text).toMatch(/tradetally_http_requests_total\{method="GET",route="\/v1\/trades",status="200"\} [1-9]/);
    expect(text).not.toContain(secret.slice(8, 40));
  });

  it('answers unknown routes, bad JSON and oversize bodies with problem details', async () => {
    const missing = await suite.api.request('GET', '/v1/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.body).toMatchObject({ code: 'not_found', status: 404, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    const badJson = await suite.api.request('POST', '/v1/auth/login', { raw: '{"email":', contentType: 'application/json' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.code).toBe('validation_failed');
    const big = await suite.api.request('POST', '/v1/auth/register', { body: { email: 'a@example.com', password: 'p'.repeat(200 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload_too_large');
  });

  it('sends helmet headers and allows CORS from the settings page and the pinned extension only', async () => {
    const health = await fetch(`${suite.api.url}/v1/health`);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-powered-by')).toBeNull();
    const preflight = (origin: string) =>
      fetch(`${suite.api.url}/v1/leaks`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const pinned = `chrome-extension://${EXTENSION_ID}`;
    expect((await preflight(pinned)).headers.get('access-control-allow-origin')).toBe(pinned);
    expect((await preflight('chrome-extension://abcdefghijklmnopabcdefghijklmnop')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight('http://localhost:3000')).headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limits', () => {
  const suite = useTestApi('sqlite', {
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '3',
    RATE_LIMIT_REGISTER_PER_ADDRESS: '4',
    RATE_LIMIT_LEAKS_PER_ADDRESS: '2',
    RATE_LIMIT_KEY_FAILURES_PER_ADDRESS: '3',
  });

  it('stops failed logins to one account after the limit with 429 and Retry-After, even with the right password', async () => {
    const { email } = await suite.api.signUp();
    for (let i = 0; i < 3; i++) expect((await suite.api.request('POST', '/v1/auth/login', { body: { email, password: 'wrong password!' } })).status).toBe(401);
    const limited = await suite.api.request('POST', '/v1/auth/login', { body: { email, password: 'wrong password!' } });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await suite.api.request('POST', '/v1/auth/login', { body: { email, password: 'a long enough password' } })).status).toBe(429);
  });

  it('limits registrations per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const email = `r${i}-${Date.now()}@example.com`;
      statuses.push((await suite.api.request('POST', '/v1/auth/register', { body: { email, password: 'a long enough password' } })).status);
    }
    expect(statuses.at(-1)).toBe(429);
  });

  it('limits leak reports per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await suite.api.request('POST', '/v1/leaks', { body: { text: 'nothing', source: 'manual' } })).status);
    expect(statuses).toEqual([202, 202, 429]);
  });
});

describe('failed key checks', () => {
  const suite = useTestApi('sqlite', { RATE_LIMIT_KEY_FAILURES_PER_ADDRESS: '3' });

  it('are limited per address: past the limit even a valid key gets 429, so guessing learns nothing', async () => {
    const { token } = await suite.api.signUp();
    const { secret } = await suite.api.createKey(token);
    const guess = generateApiKey('live'); // well-formed, never issued
    for (let i = 0; i < 3; i++) expect((await suite.api.request('GET', '/v1/trades', { token: guess })).status).toBe(401);
    const limited = await suite.api.request('GET', '/v1/trades', { token: guess });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await suite.api.request('GET', '/v1/trades', { token: secret })).status).toBe(429);
  });
});

describe('with Redis down', () => {
  const suite = useTestApi('sqlite', { REDIS_URL: 'redis://127.0.0.1:1' });

  it('keeps serving keys, rotations and revocations, and says degraded', async () => {
    const health = await suite.api.request<HealthResponse>('GET', '/v1/health');
    expect(health.body).toEqual({ status: 'degraded', database: 'ok', queue: 'down' });
    const { token } = await suite.api.signUp();
    const { apiKey, secret } = await suite.api.createKey(token);
    expect((await suite.api.request('GET', '/v1/trades', { token: secret })).status).toBe(200);
    const started = Date.now();
    const rotated = await suite.api.request<RotateApiKeyResponse>('POST', `/v1/api-keys/${apiKey.id}/rotate`, { token, body: { gracePeriodMinutes: 60 } });
    expect(rotated.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await suite.api.request('GET', '/v1/trades', { token: rotated.body.secret })).status).toBe(200);
    await suite.api.request('DELETE', `/v1/api-keys/${rotated.body.apiKey.id}`, { token });
    expect((await suite.api.request('GET', '/v1/trades', { token: rotated.body.secret })).status).toBe(401);
  });
});
