import { randomBytes } from 'node:crypto';
import { request as httpRequest, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ErrorCode, generateApiKey } from '@tradetally/contracts';
import { freePort } from '@tradetally/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchLike, type TradeTallyClientOptions, TradeTallyClient, TradeTallyError } from './index.js';
import { DATABASE_KINDS, type SpawnedApi, spawnApi } from './testing/api-server.js';

const PASSWORD = 'a long enough password';

/** Awaits `promise` and answers the TradeTallyError it throws, failing the test when it resolves. */
async function failure(promise: Promise<unknown>): Promise<TradeTallyError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TradeTallyError);
    return error as TradeTallyError;
  }
  throw new Error('expected a TradeTallyError');
}

/** Asserts the call fails with `code` (typed: a misspelt code does not compile) and its contract status. */
async function expectCode(promise: Promise<unknown>, code: ErrorCode | 'network_error', status: number): Promise<TradeTallyError> {
  const error = await failure(promise);
  expect({ code: error.code, status: error.status, detail: error.detail }).toMatchObject({ code, status });
  return error;
}

const trade = (n: number, extra: Record<string, unknown> = {}) => ({
  symbol: 'AAPL',
  side: 'buy' as const,
  quantity: n,
  price: 100 + n,
  executedAt: new Date(Date.UTC(2026, 10, 1, 12, 0, n)).toISOString(),
  ...extra,
});

describe.each(DATABASE_KINDS)('the client against the real API on %s', (kind) => {
  let api: SpawnedApi;
  const client = (options: Omit<TradeTallyClientOptions, 'baseUrl'> = {}) => new TradeTallyClient({ baseUrl: api.url, ...options });

  /** A fresh signed-in user's client. */
  async function signedIn(): Promise<{ tt: TradeTallyClient; email: string }> {
    const tt = client();
    const email = `client-${randomBytes(5).toString('hex')}@example.com`;
    await tt.auth.register({ email, password: PASSWORD });
    await tt.auth.login({ email, password: PASSWORD });
    return { tt, email };
  }

  beforeAll(async () => {
    api = await spawnApi(kind);
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('registers, signs in, shows the user, confirms e-mail tokens and signs out', async () => {
    const tt = client();
    const email = `client-${randomBytes(5).toString('hex')}@example.com`;
    const { user } = await tt.auth.register({ email, password: PASSWORD });
    expect(user).toMatchObject({ email, emailVerifiedAt: null });
    await expectCode(tt.auth.register({ email, password: PASSWORD }), 'email_taken', 409);
    await expectCode(tt.auth.login({ email, password: 'not the password at all' }), 'invalid_credentials', 401);
    await expectCode(tt.auth.me(), 'unauthenticated', 401);

    const login = await tt.auth.login({ email, password: PASSWORD });
    expect(login.user.id).toBe(user.id);
    expect(tt.sessionToken).toBe(login.token);
    expect((await tt.auth.me()).user).toMatchObject({ id: user.id, email });
    await expect(tt.auth.resendVerification()).resolves.toBeUndefined();
    await expectCode(tt.auth.verifyEmail('not-a-real-token'), 'invalid_token', 400);

    await tt.auth.logout();
    expect(tt.sessionToken).toBeNull();
    await expectCode(tt.auth.me(), 'unauthenticated', 401);
  });

  it('manages keys with a session: create, list, iterate, get, update, usage, lookup, rotate, revoke', async () => {
    const { tt } = await signedIn();
    const created = await tt.keys.create({ name: 'importer', scope: 'read_write', allowedIps: ['127.0.0.1', '::1'] });
    expect(created.secret).toMatch(/^tt_live_/);
    expect(created.apiKey).toMatchObject({ name: 'importer', scope: 'read_write', status: 'active', allowedIps: ['127.0.0.1', '::1'], selfRotate: false });
    const second = await tt.keys.create({ name: 'second', scope: 'read', environment: 'test' });

    const page = await tt.keys.list({ limit: 1 });
    expect(page.data.map((k) => k.id)).toEqual([second.apiKey.id]);
    expect(page.nextCursor).not.toBeNull();
    const all = [];
    for await (const key of tt.keys.iterate({ limit: 1 })) all.push(key.id);
    expect(all).toEqual([second.apiKey.id, created.apiKey.id]);

    expect(await tt.keys.get(created.apiKey.id)).toMatchObject({ id: created.apiKey.id, name: 'importer' });
    expect(await tt.keys.update(created.apiKey.id, { name: 'broker importer', allowedIps: null })).toMatchObject({ name: 'broker importer', allowedIps: null });
    const usage = await tt.keys.usage(created.apiKey.id, { days: 3 });
    expect(usage.data).toHaveLength(3);
    expect(usage.data[0]).toEqual({ date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), requests: expect.any(Number), rejected: expect.any(Number) });
    expect((await tt.keys.lookup(created.secret)).id).toBe(created.apiKey.id);
    await expectCode(tt.keys.lookup(generateApiKey('live')), 'not_found', 404);
    await expectCode(tt.keys.lookup('tt_live_not-a-key'), 'validation_failed', 400);

    const rotated = await tt.keys.rotate(created.apiKey.id, { gracePeriodMinutes: 5 });
    expect(rotated.previous).toMatchObject({ id: created.apiKey.id, rotatedToId: rotated.apiKey.id });
    expect(rotated.secret).not.toBe(created.secret);
    await expectCode(tt.keys.rotate(created.apiKey.id), 'not_rotatable', 409);
    expect(await tt.keys.revoke(rotated.apiKey.id)).toMatchObject({ status: 'revoked', revokeReason: 'user' });
    await expectCode(tt.keys.get('7d1d3c8e-2b8f-4d7a-9a53-1f0c2a1d9e11'), 'not_found', 404);
    await expectCode(tt.keys.create({ name: '', scope: 'read' }), 'validation_failed', 400);
  });

  it('sends a write again after the connection drops, with the same Idempotency-Key: the trade exists once', async () => {
    const { tt: owner } = await signedIn();
    const { secret } = await owner.keys.create({ name: 'flaky network', scope: 'read_write' });
    // A proxy that lets the first POST reach the API, reads the API's answer, and then drops the
    // client's connection without a byte: the write was done, the client cannot know it.
    const seen: Array<string | undefined> = [];
    const upstream = new URL(api.url);
    const proxy = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const drop = request.method === 'POST' && seen.length === 0;
        if (request.method === 'POST') seen.push(request.headers['idempotency-key'] as string | undefined);
        const forwarded = httpRequest(
          { host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers },
          (answer) => {
            const body: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => body.push(chunk));
            answer.on('end', () => {
              if (drop) return void request.socket.destroy();
              response.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(body));
            });
          },
        );
        forwarded.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const tt = new TradeTallyClient({ baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, apiKey: secret });
      const created = await tt.trades.create(trade(1, { notes: 'sent twice, written once' }));
      expect(seen).toHaveLength(2);
      expect(seen[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(seen[1]).toBe(seen[0]);
      expect((await tt.trades.list()).data.map((t) => t.id)).toEqual([created.id]);
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('works the journal with a key: create, get, update, delete, list, iterate to the last page, import', async () => {
    const { tt: owner } = await signedIn();
    const { secret } = await owner.keys.create({ name: 'journal', scope: 'read_write' });
    const tt = client({ apiKey: secret });

    const first = await tt.trades.create(trade(1, { externalId: 'broker-1', notes: 'opening' }));
    expect(first).toMatchObject({ symbol: 'AAPL', quantity: 1, fees: 0, externalId: 'broker-1' });
    expect(await tt.trades.get(first.id)).toEqual(first);
    expect(await tt.trades.update(first.id, { notes: 'changed' })).toMatchObject({ id: first.id, notes: 'changed' });
    await expectCode(tt.trades.create(trade(1, { externalId: 'broker-1' })), 'external_id_taken', 409);

    const csv = [
      'symbol,side,quantity,price,executedAt,fees,notes,externalId',
      ...[2, 3, 4].map((n) => `MSFT,sell,${n},50,2026-11-02T10:00:0${n}Z,1,,csv-${n}`),
      'MSFT,sideways,1,1,2026-11-02T10:00:00Z',
    ].join('\n');
    expect(await tt.trades.import(csv)).toEqual({ imported: 3, duplicates: 0, errors: [{ line: 5, message: expect.any(String) }] });
    expect(await tt.trades.import([trade(5, { externalId: 'json-5' }), trade(6), trade(7, { externalId: 'csv-2' })])).toEqual({
      imported: 2,
      duplicates: 1,
      errors: [],
    });

    const seen: string[] = [];
    for await (const t of tt.trades.iterate({ limit: 2 })) seen.push(t.id);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    const msft = await tt.trades.list({ symbol: 'MSFT', limit: 50 });
    expect(msft).toMatchObject({ nextCursor: null });
    expect(msft.data).toHaveLength(3);

    await expect(tt.trades.delete(first.id)).resolves.toBeUndefined();
    await expectCode(tt.trades.get(first.id), 'not_found', 404);
    const invalid = await expectCode(tt.trades.create({ ...trade(8), quantity: -1 }), 'validation_failed', 400);
    expect(invalid.errors.map((e) => e.path)).toContain('quantity');
    await expectCode(tt.trades.create({ ...trade(9), notes: 'x'.repeat(200_000) }), 'payload_too_large', 413);
    await expectCode(tt.request('POST', '/v1/trades/import', { text: '<trades/>', contentType: 'application/xml' }), 'unsupported_media_type', 415);
  });

  it('surfaces every credential error as a typed TradeTallyError', async () => {
    const { tt: owner } = await signedIn();
    const read = await owner.keys.create({ name: 'reader', scope: 'read' });
    const reader = client({ apiKey: read.secret });
    await expect(reader.trades.list()).resolves.toMatchObject({ data: [] });
    await expectCode(reader.trades.create(trade(1)), 'insufficient_scope', 403);
    await expectCode(reader.keys.list(), 'session_required', 403);
    await expectCode(client().trades.list(), 'unauthenticated', 401);
    const unknown = await expectCode(client({ apiKey: generateApiKey('live') }).trades.list(), 'invalid_api_key', 401);
    expect(unknown.retryAfter).toBeNull();
    // The server's id of the failed request, to quote to its operator.
    expect(unknown.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const pinned = await owner.keys.create({ name: 'pinned', scope: 'read', allowedIps: ['203.0.113.0/24'] });
    await expectCode(client({ apiKey: pinned.secret }).trades.list(), 'ip_not_allowed', 403);

    const soon = await owner.keys.create({ name: 'short-lived', scope: 'read', expiresAt: new Date(Date.now() + 1500).toISOString() });
    await new Promise((done) => setTimeout(done, 1700));
    await expectCode(client({ apiKey: soon.secret }).trades.list(), 'api_key_expired', 401);

    await owner.keys.revoke(read.apiKey.id);
    await expectCode(reader.trades.list(), 'api_key_revoked', 401);
  });

  it("surfaces the HTTP parser's and the GitHub route's refusals typed too", async () => {
    // A 20 KB credential overflows Node's 16 KiB header limit: the API answers before any route runs.
    await expectCode(client({ sessionToken: `tts_${'x'.repeat(20_000)}` }).auth.me(), 'request_header_too_large', 431);
    await expectCode(
      client().request('POST', '/v1/leaks/github', { text: '[]', contentType: 'application/json', credential: 'none' }),
      'invalid_signature',
      401,
    );
  });

  it('serves a key its own record and lets it rotate itself only when it may', async () => {
    const { tt: owner } = await signedIn();
    await expectCode(owner.keys.self(), 'api_key_required', 403);
    const fixed = await owner.keys.create({ name: 'fixed', scope: 'read' });
    const fixedClient = client({ apiKey: fixed.secret });
    expect(await fixedClient.keys.self()).toMatchObject({ id: fixed.apiKey.id, selfRotate: false });
    await expectCode(fixedClient.keys.rotateSelf(), 'self_rotation_disabled', 403);

    const rotating = await owner.keys.create({ name: 'rotating', scope: 'read', selfRotate: true });
    const tt = client({ apiKey: rotating.secret });
    const answer = await tt.keys.rotateSelf({ gracePeriodMinutes: 10 });
    expect(answer.apiKey).toMatchObject({ rotatedFromId: rotating.apiKey.id, selfRotate: true });
    expect(answer.previous.graceEndsAt).not.toBeNull();
    await expectCode(tt.keys.rotateSelf(), 'not_rotatable', 409);
    // The client keeps its key until told: rotateSelf alone never switches.
    expect(tt.apiKey).toBe(rotating.secret);
    tt.setApiKey(answer.secret);
    expect((await tt.keys.self()).id).toBe(answer.apiKey.id);
  });

  it('reports leaks anonymously and, with a session, names the revoked keys', async () => {
    const { tt: owner } = await signedIn();
    const { apiKey, secret } = await owner.keys.create({ name: 'leaky', scope: 'read' });
    await expect(client().leaks.report({ key: generateApiKey('live'), source: 'manual' })).resolves.toEqual({ received: true });
    await expect(owner.leaks.report({ text: `oops: ${secret}`, source: 'paste', url: 'https://paste.example/1' })).resolves.toEqual({
      received: true,
      revoked: [apiKey.id],
    });
    await expectCode(client({ apiKey: secret }).trades.list(), 'api_key_revoked', 401);
    await expectCode(client().leaks.report({ source: 'manual' } as never), 'validation_failed', 400);
  });

  it('never sends a POST again when the server answers 500, and retries a GET', async () => {
    const { tt: owner } = await signedIn();
    const { secret } = await owner.keys.create({ name: 'journal', scope: 'read_write' });
    const calls: string[] = [];
    // Writes get a 500 without reaching the API (as if it failed after acting); reads go through on the second try.
    const flaky: FetchLike = async (url, init) => {
      calls.push(`${init.method} ${new URL(url).pathname}`);
      if (init.method !== 'GET' || calls.filter((c) => c.startsWith('GET')).length === 1) return new Response('{}', { status: 500 });
      return fetch(url, init);
    };
    const tt = client({ apiKey: secret, fetch: flaky, retries: 2 });
    await expectCode(tt.trades.create(trade(1)), 'internal_error', 500);
    expect(calls).toEqual(['POST /v1/trades']);
    await expect(tt.trades.list()).resolves.toMatchObject({ data: [] });
    expect(calls).toEqual(['POST /v1/trades', 'GET /v1/trades', 'GET /v1/trades']);
  });
});

describe('network failures and a real 429', () => {
  let limited: SpawnedApi;
  beforeAll(async () => {
    limited = await spawnApi('sqlite', { RATE_LIMIT_LEAKS_PER_ADDRESS: '1', RATE_LIMIT_LEAKS_WINDOW_SECONDS: '1' });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it('retries a real 429 after its Retry-After, and reports it typed when out of retries', async () => {
    const statuses: number[] = [];
    const counting: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      statuses.push(response.status);
      return response;
    };
    const tt = new TradeTallyClient({ baseUrl: limited.url, fetch: counting });
    const report = { key: generateApiKey('live'), source: 'manual' } as const;
    await tt.leaks.report(report);
    const started = Date.now();
    await expect(tt.leaks.report(report)).resolves.toEqual({ received: true });
    expect(statuses).toEqual([202, 429, 202]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    const impatient = new TradeTallyClient({ baseUrl: limited.url, retries: 0 });
    await impatient.leaks.report(report).catch(() => undefined);
    const error = await expectCode(impatient.leaks.report(report), 'rate_limited', 429);
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
  });

  it('is status 0 network_error when nothing listens, after retrying a GET (and a POST once)', async () => {
    const port = await freePort();
    let calls = 0;
    const counting: FetchLike = (url, init) => {
      calls++;
      return fetch(url, init);
    };
    const key = generateApiKey('live');
    const tt = new TradeTallyClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: key, fetch: counting, retries: 1 });
    const error = await expectCode(tt.trades.list(), 'network_error', 0);
    expect(calls).toBe(2);
    expect(error.message).not.toContain(key);
    // A POST is sent once more (with its Idempotency-Key), then reported.
    calls = 0;
    await expectCode(tt.trades.create(trade(1)), 'network_error', 0);
    expect(calls).toBe(2);
    calls = 0;
    await expectCode(tt.trades.delete('7d1d3c8e-2b8f-4d7a-9a53-1f0c2a1d9e11'), 'network_error', 0);
    expect(calls).toBe(1);
  });
});
