import { inspect } from 'node:util';
import { ERROR_CODES, type ErrorCode, ERROR_TITLES, generateApiKey, statusOfErrorCode } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { type FetchLike, TradeTallyClient, TradeTallyError, maskKeys, parseRetryAfter, rotationDue } from './index.js';

/** A fetch that answers from `answer` and records every call. */
function fakeFetch(
  answer: (call: number, url: string, init: RequestInit) => Response | Promise<Response>,
): FetchLike & { calls: Array<{ url: string; init: RequestInit }> } {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fn = async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer(calls.length, url, init);
  };
  return Object.assign(fn, { calls });
}

const problem = (code: ErrorCode, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: 'about:blank', title: ERROR_TITLES[code], status: statusOfErrorCode(code), detail: `because ${code}`, code, ...extra }), {
    status: statusOfErrorCode(code),
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('TradeTallyError', () => {
  it.each(ERROR_CODES)('surfaces %s as a typed error with its status, detail and Retry-After', async (code) => {
    const fetch = fakeFetch(() =>
      problem(code, code === 'validation_failed' ? { errors: [{ path: 'name', message: 'too short' }] } : {}, { 'retry-after': '120' }),
    );
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', fetch, retries: 0 });
    const error = await tt.trades.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TradeTallyError);
    const typed = error as TradeTallyError;
    const expected: { code: ErrorCode | 'network_error'; status: number } = { code, status: statusOfErrorCode(code) };
    expect({ code: typed.code, status: typed.status }).toEqual(expected);
    expect(typed.detail).toBe(`because ${code}`);
    expect(typed.retryAfter).toBe(120);
    expect(typed.errors).toEqual(code === 'validation_failed' ? [{ path: 'name', message: 'too short' }] : []);
    expect(typed.message).toContain(`GET /v1/trades: ${statusOfErrorCode(code)} ${code}`);
  });

  it("carries the problem's requestId, else the answer's Request-Id header, else null", async () => {
    const fromProblem = new TradeTallyClient({
      baseUrl: 'http://api.test',
      fetch: fakeFetch(() => problem('not_found', { requestId: 'from-problem' }, { 'request-id': 'from-header' })),
      retries: 0,
    });
    await expect(fromProblem.trades.get('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ requestId: 'from-problem' });
    const fromHeader = new TradeTallyClient({
      baseUrl: 'http://api.test',
      fetch: fakeFetch(() => new Response('<html>bad gateway</html>', { status: 502, headers: { 'request-id': 'proxy-1' } })),
      retries: 0,
    });
    await expect(fromHeader.trades.list()).rejects.toMatchObject({ requestId: 'proxy-1' });
    const none = new TradeTallyClient({ baseUrl: 'http://api.test', fetch: fakeFetch(() => Promise.reject(new TypeError('fetch failed'))), retries: 0 });
    await expect(none.trades.list()).rejects.toMatchObject({ code: 'network_error', requestId: null });
  });

  it('maps an answer that is not problem details by its status', async () => {
    const tt = new TradeTallyClient({
      baseUrl: 'http://api.test',
      fetch: fakeFetch(() => new Response('<html>bad gateway</html>', { status: 502 })),
      retries: 0,
    });
    await expect(tt.trades.list()).rejects.toMatchObject({ status: 502, code: 'internal_error' });
  });

  it('is status 0 network_error when no answer comes', async () => {
    const fetch = fakeFetch(() => Promise.reject(new TypeError('fetch failed')));
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', fetch, retries: 0 });
    await expect(tt.trades.create({ symbol: 'AAPL', side: 'buy', quantity: 1, price: 1, executedAt: '2026-11-01T00:00:00Z' })).rejects.toMatchObject({
      name: 'TradeTallyError',
      status: 0,
      code: 'network_error',
    });
  });

  it('is a typed error, not a SyntaxError, when a 200 is not JSON', async () => {
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', fetch: fakeFetch(() => new Response('<html>login portal</html>', { status: 200 })) });
    await expect(tt.trades.list()).rejects.toMatchObject({ name: 'TradeTallyError', status: 200, code: 'internal_error' });
  });

  it('gives up on a hung attempt after timeoutMs: network_error, a GET tried again, a POST not', async () => {
    const hung = fakeFetch(
      (_call, _url, init) => new Promise<Response>((_done, fail) => init.signal?.addEventListener('abort', () => fail(init.signal?.reason))),
    );
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', fetch: hung, timeoutMs: 50, retries: 1 });
    await expect(tt.trades.list()).rejects.toMatchObject({ status: 0, code: 'network_error' });
    expect(hung.calls).toHaveLength(2);
    await expect(tt.trades.delete('id')).rejects.toMatchObject({ status: 0, code: 'network_error' });
    expect(hung.calls).toHaveLength(3);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(new Date(Date.now() + 3_000).toUTCString())).toBeGreaterThanOrEqual(2);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('retries', () => {
  it('never sends a POST twice on a 500', async () => {
    const fetch = fakeFetch(() => problem('internal_error'));
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', fetch, retries: 5 });
    await expect(tt.trades.create({ symbol: 'AAPL', side: 'buy', quantity: 1, price: 1, executedAt: '2026-11-01T00:00:00Z' })).rejects.toMatchObject({
      code: 'internal_error',
    });
    expect(fetch.calls).toHaveLength(1);
  });

  it('sends a fresh Idempotency-Key with every write and a POST once more after a network failure, with the same key', async () => {
    const fetch = fakeFetch((call) => (call === 1 || call === 3 || call === 4 ? Promise.reject(new TypeError('fetch failed')) : json({ id: 't1' }, 201)));
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', fetch, retries: 3 });
    const create = () => tt.trades.create({ symbol: 'AAPL', side: 'buy', quantity: 1, price: 1, executedAt: '2026-11-01T00:00:00Z' });
    await expect(create()).resolves.toEqual({ id: 't1' });
    // Once more, not `retries` times: a second network failure is the caller's to handle.
    await expect(create()).rejects.toMatchObject({ code: 'network_error' });
    const keys = fetch.calls.map((c) => new Headers(c.init.headers).get('idempotency-key'));
    expect(keys).toHaveLength(4);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(keys[3]).toBe(keys[2]);
    await tt.trades.list().catch(() => undefined);
    expect(new Headers(fetch.calls.at(-1)?.init.headers).get('idempotency-key')).toBeNull();
  });

  it.each(['PATCH', 'DELETE'] as const)('never sends a %s twice on a 502 or a network failure', async (method) => {
    let call = 0;
    const fetch = fakeFetch(() => (++call === 1 ? new Response('', { status: 502 }) : Promise.reject(new TypeError('fetch failed'))));
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', fetch, retries: 3 });
    const run = method === 'PATCH' ? () => tt.trades.update('id', { notes: 'x' }) : () => tt.trades.delete('id');
    await expect(run()).rejects.toMatchObject({ status: 502 });
    await expect(run()).rejects.toMatchObject({ code: 'network_error' });
    expect(fetch.calls).toHaveLength(2);
  });

  it('retries a GET on a 500 and a network failure, at most `retries` times', async () => {
    const fetch = fakeFetch((call) =>
      call === 1 ? Promise.reject(new TypeError('fetch failed')) : call === 2 ? problem('internal_error') : json({ data: [], nextCursor: null }),
    );
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', fetch });
    await expect(tt.trades.list()).resolves.toEqual({ data: [], nextCursor: null });
    expect(fetch.calls).toHaveLength(3);

    const failing = fakeFetch(() => problem('internal_error'));
    const once = new TradeTallyClient({ baseUrl: 'http://api.test', fetch: failing, retries: 1 });
    await expect(once.trades.list()).rejects.toMatchObject({ code: 'internal_error' });
    expect(failing.calls).toHaveLength(2);
  });

  it('retries a POST on 429 and 503 after Retry-After', async () => {
    const fetch = fakeFetch((call) =>
      call === 1
        ? problem('rate_limited', {}, { 'retry-after': '1' })
        : call === 2
          ? problem('service_unavailable', {}, { 'retry-after': '0' })
          : json({ received: true }, 202),
    );
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', fetch });
    const started = Date.now();
    await expect(tt.leaks.report({ key: 'x', source: 'manual' })).resolves.toEqual({ received: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fetch.calls).toHaveLength(3);
    expect(fetch.calls.every((c) => c.init.method === 'POST')).toBe(true);
  });

  it('does not wait out a Retry-After beyond maxRetryAfterSeconds', async () => {
    const fetch = fakeFetch(() => problem('rate_limited', {}, { 'retry-after': '3600' }));
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', fetch });
    await expect(tt.auth.register({ email: 'a@example.com', password: 'x'.repeat(12) })).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 3600 });
    expect(fetch.calls).toHaveLength(1);
  });
});

describe('secrets', () => {
  const key = generateApiKey('live');
  const shown = `${key.slice(0, 12)}…${key.slice(-4)}`;

  it('shows its key as prefix…last4 in toString, inspect and JSON', () => {
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', apiKey: key, sessionToken: 'session-token-that-is-secret-0123456789' });
    for (const text of [String(tt), `${tt}`, inspect(tt), inspect({ nested: tt }, { depth: 5 }), JSON.stringify(tt), JSON.stringify({ tt })]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain('session-token-that-is-secret');
    }
    expect(String(tt)).toContain(shown);
    expect(JSON.parse(JSON.stringify(tt))).toEqual({ baseUrl: 'http://api.test', apiKey: shown, session: true });
  });

  it('never puts a whole key in an error message, even when an answer echoes it', async () => {
    const fetch = fakeFetch(() => problem('validation_failed', { detail: `bad key ${key}`, errors: [{ path: 'key', message: `${key} is not yours` }] }));
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test', apiKey: key, fetch });
    const error = (await tt.keys.lookup(key).catch((e: unknown) => e)) as TradeTallyError;
    for (const text of [error.message, error.detail, JSON.stringify(error.errors), inspect(error), String(error.stack)]) expect(text).not.toContain(key);
    expect(error.detail).toBe(`bad key ${shown}`);
    expect(maskKeys(`a ${key} b ${key}`)).toBe(`a ${shown} b ${shown}`);
  });

  it('sends the key as a bearer token and the session on session routes', async () => {
    const fetch = fakeFetch(() => json({ data: [], nextCursor: null }));
    const tt = new TradeTallyClient({ baseUrl: 'http://api.test/', apiKey: key, sessionToken: () => 'the-session' });
    const withFetch = new TradeTallyClient({ baseUrl: 'http://api.test/', apiKey: key, sessionToken: () => 'the-session', fetch });
    expect(tt.baseUrl).toBe('http://api.test');
    await withFetch.trades.list({ symbol: 'AAPL', limit: 5 });
    await withFetch.keys.list({ status: 'active' });
    const headers = fetch.calls.map((c) => (c.init.headers as Record<string, string>).authorization);
    expect(headers).toEqual([`Bearer ${key}`, 'Bearer the-session']);
    expect(fetch.calls.map((c) => c.url)).toEqual(['http://api.test/v1/trades?symbol=AAPL&limit=5', 'http://api.test/v1/api-keys?status=active']);
  });
});

describe('rotationDue', () => {
  const now = Date.parse('2026-11-30T00:00:00Z');
  it('is due when expiry or the rotation date is within beforeDays', () => {
    expect(rotationDue({ expiresAt: '2026-12-10T00:00:00Z', rotationDueAt: null }, 14, now)).toBe(true);
    expect(rotationDue({ expiresAt: null, rotationDueAt: '2026-12-13T00:00:00Z' }, 14, now)).toBe(true);
    expect(rotationDue({ expiresAt: '2027-01-30T00:00:00Z', rotationDueAt: '2027-02-13T00:00:00Z' }, 14, now)).toBe(false);
    expect(rotationDue({ expiresAt: null, rotationDueAt: null }, 14, now)).toBe(false);
  });
});
