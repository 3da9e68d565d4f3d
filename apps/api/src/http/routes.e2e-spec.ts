import type { ErrorCode, Page } from '@tradetally/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Answer, useTestApi } from '../testing/harness.js';
import { type DeclaredRoute, declaredRoutes } from '../testing/routes.js';
import type { RouteAccess } from './route.js';

/** What every route of an access must document, written out here as the test's own oracle. */
const CREDENTIAL_ERRORS: ErrorCode[] = ['unauthenticated', 'invalid_api_key', 'api_key_expired', 'api_key_revoked', 'ip_not_allowed', 'rate_limited'];
function mustDocument(access: RouteAccess): ErrorCode[] {
  if (access === 'public' || access === 'optional') return [];
  if (access === 'session') return [...CREDENTIAL_ERRORS, 'session_required', 'insufficient_scope'];
  if (access === 'session-or-extension') return [...CREDENTIAL_ERRORS, 'session_required'];
  if (access === 'key-itself') return [...CREDENTIAL_ERRORS, 'api_key_required', 'insufficient_scope'];
  return [...CREDENTIAL_ERRORS, 'insufficient_scope'];
}

type Operation = { operationId?: string; security?: unknown[]; responses: Record<string, { description?: string }> };
type Document = { paths: Record<string, Record<string, Operation>> };

/** The codes an operation's problem answers name ("Problem details; code: a, b"). */
function documentedCodes(operation: Operation): Set<string> {
  const codes = new Set<string>();
  for (const response of Object.values(operation.responses))
    for (const code of /code: (.*)$/.exec(response.description ?? '')?.[1]?.split(', ') ?? []) codes.add(code);
  return codes;
}

const takesCredentials = (route: DeclaredRoute) => route.access !== 'public' && route.access !== 'optional';

describe('a route is declared once', () => {
  const env = useTestApi('sqlite');
  let routes: DeclaredRoute[];
  let document: Document;

  beforeAll(async () => {
    routes = declaredRoutes(env.api.app);
    document = (await env.api.request<Document>('GET', '/docs-json')).body;
  });

  it('declares every route with @Route', () => {
    const undeclared = routes.filter((route) => !route.declaredOnce).map((route) => `${route.method} ${route.path}`);
    expect(routes.length).toBeGreaterThan(20);
    expect(undeclared).toEqual([]);
  });

  it('documents, on every route, the errors and the security its access implies', () => {
    const drift: string[] = [];
    for (const route of routes.filter((r) => r.documented)) {
      const operation = document.paths[route.openApiPath]?.[route.method.toLowerCase()];
      if (operation?.operationId !== route.operationId) {
        drift.push(`${route.method} ${route.path}: no operation ${route.operationId}`);
        continue;
      }
      const codes = documentedCodes(operation);
      const missing = mustDocument(route.access).filter((code) => !codes.has(code));
      if (missing.length > 0) drift.push(`${route.method} ${route.path} lacks ${missing.join(', ')}`);
      if ((operation.security ?? []).length > 0 !== (route.access !== 'public'))
        drift.push(`${route.method} ${route.path}: security disagrees with ${JSON.stringify(route.access)}`);
    }
    expect(drift).toEqual([]);
  });
});

/** A JSON body a route accepts past its access check, so an answer is its guard's or its id check's. */
const BODIES: Record<string, unknown> = {
  'PATCH /v1/trades/:id': { notes: 'matrix' },
  'PATCH /v1/api-keys/:id': { name: 'matrix' },
};

describe('the auth matrix, for every route that takes credentials', () => {
  const env = useTestApi('sqlite');
  let routes: DeclaredRoute[];
  const who: Record<'web' | 'extension' | 'readKey' | 'writeKey' | 'revokedKey' | 'bob', string> = {
    web: '',
    extension: '',
    readKey: '',
    writeKey: '',
    revokedKey: '',
    bob: '',
  };
  /** Alice's resources, by the path they sit under. */
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const { api } = env;
    routes = declaredRoutes(api.app).filter(takesCredentials);
    const alice = await api.signUp();
    who.web = alice.token;
    const extension = await api.request<{ token: string }>('POST', '/v1/auth/login', {
      body: { email: alice.email, password: 'a long enough password', client: 'extension' },
    });
    who.extension = extension.body.token;
    who.readKey = (await api.createKey(alice.token, { scope: 'read' })).secret;
    const writer = await api.createKey(alice.token, { scope: 'read_write' });
    who.writeKey = writer.secret;
    ids['/v1/api-keys/'] = writer.apiKey.id;
    // A reported key is revoked at once, and its owner notified.
    who.revokedKey = (await api.createKey(alice.token, { scope: 'read_write' })).secret;
    await api.request('POST', '/v1/leaks', { body: { key: who.revokedKey, source: 'manual' } });
    const notifications = await api.request<Page<{ id: string }>>('GET', '/v1/notifications', { token: alice.token });
    ids['/v1/notifications/'] = notifications.body.data[0]!.id;
    const trade = await api.request<{ id: string }>('POST', '/v1/trades', {
      token: alice.token,
      body: { symbol: 'AAPL', side: 'buy', quantity: 1, price: 1, executedAt: '2026-11-02T14:30:00Z' },
    });
    ids['/v1/trades/'] = trade.body.id;
    who.bob = (await api.signUp()).token;
  });

  /** Calls `route` with `token` (none when empty), on Alice's resource where the path names one. */
  function call(route: DeclaredRoute, token: string): Promise<Answer> {
    const prefix = Object.keys(ids).find((p) => route.path.startsWith(p));
    const path = route.path.replace(':id', prefix ? ids[prefix]! : '00000000-0000-4000-8000-000000000000');
    const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : (BODIES[`${route.method} ${route.path}`] ?? {});
    return env.api.request(route.method, path, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
  }

  /** Runs `expected` for every route; collects the routes that answered otherwise. */
  async function expectEvery(
    expected: (route: DeclaredRoute) => Array<{ token: string; status: number; code: ErrorCode }>,
    among: DeclaredRoute[] = routes,
  ): Promise<void> {
    const wrong: string[] = [];
    for (const route of among) {
      for (const { token, status, code } of expected(route)) {
        const answer = await call(route, token);
        if (answer.status !== status || answer.body.code !== code)
          wrong.push(`${route.method} ${route.path}: ${answer.status} ${String(answer.body.code)}, not ${status} ${code}`);
      }
    }
    expect(wrong).toEqual([]);
  }

  it('answers 401 unauthenticated without a credential', async () => {
    expect(routes.length).toBeGreaterThan(10);
    await expectEvery(() => [{ token: '', status: 401, code: 'unauthenticated' }]);
  });

  it('answers 403 to the wrong kind of credential: a key on a session route, a read key on a write route, an extension where it may not go', async () => {
    await expectEvery((route) => {
      const { access } = route;
      if (access === 'session')
        return [
          { token: who.writeKey, status: 403, code: 'session_required' },
          { token: who.extension, status: 403, code: 'insufficient_scope' },
        ];
      if (access === 'session-or-extension') return [{ token: who.writeKey, status: 403, code: 'session_required' }];
      if (typeof access === 'object' && access.key === 'read_write')
        return [
          { token: who.readKey, status: 403, code: 'insufficient_scope' },
          { token: who.extension, status: 403, code: 'insufficient_scope' },
        ];
      return [{ token: who.extension, status: 403, code: 'insufficient_scope' }];
    });
  });

  it("answers 404 not_found to another user's id", async () => {
    const byId = routes.filter((route) => route.path.includes(':id'));
    expect(byId.length).toBeGreaterThan(5);
    await expectEvery(() => [{ token: who.bob, status: 404, code: 'not_found' }], byId);
  });

  it('answers 401 api_key_revoked to a revoked key', async () => {
    await expectEvery(() => [{ token: who.revokedKey, status: 401, code: 'api_key_revoked' }]);
  });
});
