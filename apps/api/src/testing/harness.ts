import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CreateApiKeyRequest, CreateApiKeyResponse } from '@tradetally/contracts';
import type { Db } from '@tradetally/database';
import { type TestDatabase, createTestDatabase, databaseKinds } from '@tradetally/database/testing';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../app.factory.js';
import { DB } from '../common/tokens.js';
import { loadConfig } from '../config.js';

/** The database kinds every e2e suite runs on: SQLite always, PostgreSQL whenever it answers. */
export const DATABASE_KINDS = await databaseKinds();

export { createTestDatabase, type TestDatabase };

/** A valid trade body for POST /v1/trades; `over` changes or adds fields. */
export const trade = (over: Record<string, unknown> = {}) => ({
  symbol: 'AAPL',
  side: 'buy',
  quantity: 10,
  price: 187.5,
  executedAt: '2026-11-02T14:30:00Z',
  ...over,
});

/** One HTTP answer. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A running API on a loopback port, with its captured JSON log. */
export class TestApi {
  constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    readonly logs: string[],
  ) {}

  get db(): Db {
    return this.app.get<Db>(DB);
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'text/plain';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: leave the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  /** Registers a fresh user and signs in; returns the session token and the user's id. */
  async signUp(email = `trader-${randomBytes(5).toString('hex')}@example.com`): Promise<{ token: string; userId: string; email: string }> {
    const password = 'a long enough password';
    const registered = await this.request<{ user: { id: string } }>('POST', '/v1/auth/register', { body: { email, password } });
    if (registered.status !== 201) throw new Error(`register: ${registered.status} ${registered.text}`);
    const login = await this.request<{ token: string }>('POST', '/v1/auth/login', { body: { email, password } });
    if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
    return { token: login.body.token, userId: registered.body.user.id, email };
  }

  /** Creates a key with a session; returns the created key and its secret. */
  async createKey(token: string, body: Partial<CreateApiKeyRequest> = {}): Promise<CreateApiKeyResponse> {
    const answer = await this.request<CreateApiKeyResponse>('POST', '/v1/api-keys', { token, body: { name: 'test key', scope: 'read', ...body } });
    if (answer.status !== 201) throw new Error(`create key: ${answer.status} ${answer.text}`);
    return answer.body;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

/** Starts the API on a loopback port against `databaseUrl`, with limits and prefixes of its own. */
export async function startApi(databaseUrl: string, env: Record<string, string> = {}): Promise<TestApi> {
  const tag = randomBytes(4).toString('hex');
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    TT_KEY_PEPPER: 'test-pepper-that-is-at-least-32-characters-long',
    LOG_LEVEL: 'info',
    RATE_LIMIT_PREFIX: `tt-test:${tag}:rl`,
    QUEUE_PREFIX: `tt-test-${tag}`,
    WEB_DIST: join(tmpdir(), 'no-web-dist'),
    // Suites make many users from one address; the rate-limit suite sets its own low limits.
    RATE_LIMIT_REGISTER_PER_ADDRESS: '100000',
    RATE_LIMIT_LOGIN_PER_ADDRESS: '100000',
    RATE_LIMIT_LEAKS_PER_ADDRESS: '100000',
    RATE_LIMIT_KEY_FAILURES_PER_ADDRESS: '100000',
    // The leak-report timing floor is proven by its own test; other suites need not wait it out.
    LEAK_REPORT_FLOOR_MS: '0',
    ...env,
  });
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = await createApp(config, { logStream });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return new TestApi(app, `http://127.0.0.1:${address.port}`, logs);
}

/**
 * A fresh database of `kind` for a suite that starts its own APIs on it (several instances, or one
 * per test with other settings), dropped afterwards. Read `database` inside tests.
 */
export function useTestDatabase(kind: 'sqlite' | 'postgres'): { readonly database: TestDatabase } {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });
  return {
    get database() {
      if (!database) throw new Error('the database is made in beforeAll');
      return database;
    },
  };
}

/**
 * The set-up every e2e suite shares: a fresh database of `kind` and an API on it for the suite's
 * tests, both removed afterwards. Read `api` and `database` inside tests (they exist from beforeAll).
 */
export function useTestApi(kind: 'sqlite' | 'postgres', env: Record<string, string> = {}): { readonly api: TestApi; readonly database: TestDatabase } {
  const state: { api?: TestApi; database?: TestDatabase } = {};
  beforeAll(async () => {
    state.database = await createTestDatabase(kind);
    state.api = await startApi(state.database.url, env);
  });
  afterAll(async () => {
    await state.api?.close();
    await state.database?.drop();
  });
  return {
    get api() {
      if (!state.api) throw new Error('the API starts in beforeAll');
      return state.api;
    },
    get database() {
      if (!state.database) throw new Error('the database is made in beforeAll');
      return state.database;
    },
  };
}
