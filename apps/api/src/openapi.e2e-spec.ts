import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ERROR_CODES } from '@tradetally/contracts';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApi } from './testing/harness.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const REDOCLY = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin/cli.js');
const TSC = join(dirname(require.resolve('typescript/package.json')), 'bin/tsc');

/** Every route of contract/http-api.md (versions 1 and 2), as `METHOD /path` with OpenAPI's `{id}`. */
const CONTRACT_ROUTES = [
  'POST /v1/auth/register',
  'POST /v1/auth/login',
  'POST /v1/auth/logout',
  'POST /v1/auth/verify-email',
  'POST /v1/auth/verify-email/resend',
  'GET /v1/me',
  'GET /v1/api-keys',
  'POST /v1/api-keys',
  'GET /v1/api-keys/self',
  'POST /v1/api-keys/self/rotate',
  'POST /v1/api-keys/lookup',
  'GET /v1/api-keys/{id}',
  'PATCH /v1/api-keys/{id}',
  'DELETE /v1/api-keys/{id}',
  'POST /v1/api-keys/{id}/rotate',
  'GET /v1/api-keys/{id}/usage',
  'GET /v1/trades',
  'POST /v1/trades',
  'GET /v1/trades/{id}',
  'PATCH /v1/trades/{id}',
  'DELETE /v1/trades/{id}',
  'POST /v1/trades/import',
  'POST /v1/leaks',
  'POST /v1/leaks/github',
  'GET /v1/notifications',
  'POST /v1/notifications/{id}/read',
  'GET /v1/audit-events',
  'GET /v1/health',
  'GET /v1/health/live',
  'GET /v1/health/ready',
];

interface Operation {
  operationId: string;
  security?: unknown[];
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
}
interface Document {
  servers?: Array<{ url: string }>;
  info: { license?: { name: string } };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

describe('the OpenAPI document at /docs-json', () => {
  // A public address as production has (Redocly warns on a localhost server; PUBLIC_URL is the instance's own).
  const ctx = useTestApi('sqlite', { PUBLIC_URL: 'https://keys.tradetally.dev' });
  let dir: string;
  let document: Document;
  let file: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-openapi-'));
    const answer = await ctx.api.request<Document>('GET', '/docs-json');
    expect(answer.status).toBe(200);
    document = answer.body;
    file = join(dir, 'openapi.json');
    writeFileSync(file, answer.text);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
    );

  it('passes redocly lint with the recommended rules, warnings included', async () => {
    const { stdout } = await run(process.execPath, [REDOCLY, 'lint', '--extends=recommended', '--format=json', file], { maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    const problems = (JSON.parse(stdout) as { problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }> })
      .problems;
    expect(problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
  });

  it('names a server and a licence, and declares security on every operation (none on /v1/health)', () => {
    expect(document.servers?.[0]?.url).toMatch(/^https?:\/\//);
    expect(document.info.license?.name).toBe('MIT');
    for (const { route, operation } of operations()) expect(operation.security, route).toBeDefined();
    expect(document.paths['/v1/health']?.get?.security).toEqual([]);
    expect(document.paths['/v1/trades']?.get?.security).toEqual([{ bearer: [] }]);
  });

  it('has every route of the contract, each with a 4xx answer, and every error code', () => {
    const routes = operations().map((o) => o.route);
    expect(routes).toEqual(expect.arrayContaining(CONTRACT_ROUTES));
    const described = new Set<string>();
    for (const { route, operation } of operations()) {
      expect(
        Object.keys(operation.responses).some((status) => /^4\d\d$/.test(status)),
        route,
      ).toBe(true);
      for (const response of Object.values(operation.responses)) {
        for (const code of /code: (.*)$/.exec(response.description)?.[1]?.split(', ') ?? []) described.add(code);
      }
    }
    expect([...ERROR_CODES].filter((code) => !described.has(code))).toEqual([]);
    expect(new Set(operations().map((o) => o.operation.operationId)).size).toBe(routes.length);
  });

  it('names the shared shapes in components.schemas and refers to them', () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'ApiKey',
        'Trade',
        'Problem',
        'User',
        'ErrorCode',
        'Notification',
        'AuditEvent',
        'UsageDay',
        'AllowedIps',
        'CreateApiKeyResponse',
        'ImportResult',
      ]),
    );
    const created = document.paths['/v1/api-keys']?.post?.responses['201']?.content?.['application/json']?.schema;
    expect(created).toEqual({ $ref: '#/components/schemas/CreateApiKeyResponse' });
    const problem = document.paths['/v1/trades']?.get?.responses['401']?.content?.['application/problem+json']?.schema;
    expect(problem).toEqual({ $ref: '#/components/schemas/Problem' });
  });

  it('generates TypeScript types with openapi-typescript that type-check real calls', async () => {
    writeFileSync(join(dir, 'schema.d.ts'), astToString(await openapiTS(JSON.parse(JSON.stringify(document)), { defaultNonNullable: false })));
    // defaultNonNullable: false, else openapi-typescript makes request fields with a default required.
    // A few calls as an integrator writes them against the generated types; the expect-errors prove the types bite.
    writeFileSync(
      join(dir, 'calls.ts'),
      `import type { components, paths } from './schema.js';
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type ApiKey = components['schemas']['ApiKey'];
type Problem = components['schemas']['Problem'];

async function call<P extends keyof paths, M extends 'get' | 'post' | 'patch' | 'delete'>(path: P, method: M, body?: unknown): Promise<unknown> {
  const response = await fetch('http://localhost:3000' + String(path), { method: method.toUpperCase(), body: JSON.stringify(body) });
  return response.json();
}

export async function example(): Promise<void> {
  const create: Json<paths['/v1/api-keys']['post']['requestBody']> = { name: 'importer', scope: 'read_write', selfRotate: true, allowedIps: ['203.0.113.0/24'] };
  const created = (await call('/v1/api-keys', 'post', create)) as Json<paths['/v1/api-keys']['post']['responses'][201]>;
  const key: ApiKey = created.apiKey;
  const secret: string = created.secret;
  const page = (await call('/v1/trades', 'get')) as Json<paths['/v1/trades']['get']['responses'][200]>;
  const symbols: string[] = page.data.map((t) => t.symbol);
  const next: string | null = page.nextCursor;
  const query: NonNullable<paths['/v1/trades']['get']['parameters']['query']> = { limit: 10, symbol: 'AAPL' };
  const rotated = (await call('/v1/api-keys/self/rotate', 'post', { gracePeriodMinutes: 60 })) as Json<paths['/v1/api-keys/self/rotate']['post']['responses'][201]>;
  const due: string | null = rotated.previous.rotationDueAt;
  const problem = (await call('/v1/trades', 'get')) as Problem;
  const code: components['schemas']['ErrorCode'] = problem.code;
  if (code === 'ip_not_allowed' || code === 'self_rotation_disabled') console.log(problem.detail);
  // @ts-expect-error: a scope the contract does not have
  const badScope: components['schemas']['ApiKeyScope'] = 'admin';
  // @ts-expect-error: a code the contract does not have
  const badCode: components['schemas']['ErrorCode'] = 'no_such_code';
  // @ts-expect-error: ApiKey never carries the secret
  const leaked: string = key.secret;
  console.log(secret.length, symbols, next, query, due, key.allowedIps, key.selfRotate, badScope, badCode, leaked);
}
`,
    );
    const result = await run(process.execPath, [
      TSC,
      // The test's own compiler options, not the package's tsconfig.json.
      '--ignoreConfig',
      '--noEmit',
      '--strict',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--lib',
      'es2023,dom',
      join(dir, 'calls.ts'),
    ]).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: `${error.stdout ?? ''}${error.stderr ?? ''}`, stderr: '' }));
    expect(result.stdout).toBe('');
  });
});
