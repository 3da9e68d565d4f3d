// Shared pieces of the fleet tests: built API and worker processes (dist/main.js, as deployed), a
// loopback TCP proxy that a test can cut, and a small HTTP client. Ports, processes and waiting come
// from @tradetally/testing; turbo builds the API before this package's tests (turbo.json).
import { randomBytes } from 'node:crypto';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { API_MAIN, type Proc, freePort, spawnNode as spawnWithEnv, waitFor as waitUntil } from '@tradetally/testing';

export { type Proc, WORKER_MAIN, freePort, freePortRange } from '@tradetally/testing';
export const PEPPER = 'fleet-test-pepper-fleet-test-pepper-0123';

/** A built process for the fleet tests: NODE_ENV=test and quiet logs unless `env` says otherwise. */
export function spawnNode(main: string, env: Record<string, string>): Proc {
  return spawnWithEnv(main, { NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env });
}

/** The shared waitFor with the fleet's longer default: several processes start on two cores. */
export const waitFor = (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000) => waitUntil(what, check, timeoutMs);

/** Environment every API process of a test shares: one Redis prefix, loose limits for one address. */
export function apiEnv(databaseUrl: string, tag = randomBytes(4).toString('hex')): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    TT_KEY_PEPPER: PEPPER,
    RATE_LIMIT_PREFIX: `tt-fleet:${tag}:rl`,
    QUEUE_PREFIX: `tt-fleet-${tag}`,
    RATE_LIMIT_REGISTER_PER_ADDRESS: '100000',
    RATE_LIMIT_LOGIN_PER_ADDRESS: '100000',
    RATE_LIMIT_KEY_FAILURES_PER_ADDRESS: '100000',
    WEB_DIST: '/nonexistent',
  };
}

/** Starts an API process on a free port; `ready` resolves once /v1/health/ready answers 200. */
export async function startApiProcess(env: Record<string, string>): Promise<Proc & { url: string; port: number }> {
  const port = await freePort();
  const proc = spawnNode(API_MAIN, { PORT: String(port), ...env });
  return { ...proc, url: `http://127.0.0.1:${port}`, port };
}

/** Resolves once `url`/v1/health/ready answers 200 (or the process died). */
export async function whenReady(proc: Proc & { url: string }, timeoutMs = 90_000): Promise<void> {
  try {
    await waitFor(
      `${proc.url} to be ready`,
      async () => proc.child.exitCode !== null || (await fetch(`${proc.url}/v1/health/ready`)).status === 200,
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}:\n${proc.output.join('')}`, { cause: error });
  }
  if (proc.child.exitCode !== null) throw new Error(`the API exited early:\n${proc.output.join('')}`);
}

/** One HTTP answer and how long it took. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | null;
  ms: number;
}

/** A JSON request; `timeoutMs` turns a hang into status 0 (a test failure, never a silent wait). */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; contentType?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const started = Date.now();
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] = options.contentType ?? 'text/csv';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  try {
    const response = await fetch(`${base}${path}`, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
    const text = await response.text();
    let parsed: Record<string, unknown> | null = null;
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    } catch {
      parsed = { text };
    }
    return { status: response.status, headers: response.headers, body: parsed, ms: Date.now() - started };
  } catch (error) {
    return { status: 0, headers: new Headers(), body: { error: (error as Error).message }, ms: Date.now() - started };
  }
}

/** Registers a user, signs in and makes a read_write key; returns the session token and the key. */
export async function userWithKey(base: string): Promise<{ token: string; key: string }> {
  const email = `fleet-${randomBytes(5).toString('hex')}@example.com`;
  const password = 'a long enough password';
  const registered = await call(base, 'POST', '/v1/auth/register', { body: { email, password } });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await call(base, 'POST', '/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  const token = String(login.body?.token);
  const created = await call(base, 'POST', '/v1/api-keys', { token, body: { name: 'fleet', scope: 'read_write' } });
  if (created.status !== 201) throw new Error(`create key: ${created.status} ${JSON.stringify(created.body)}`);
  return { token, key: String(created.body?.secret) };
}

/**
 * A TCP proxy on loopback in front of `target` (PostgreSQL in the outage test). `cut()` destroys
 * every open connection and refuses new ones, as a database that went away; `restore()` lets
 * connections through again.
 */
export class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private open = true;
  private readonly server: Server = createServer((client) => this.accept(client));
  port = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<CuttableProxy> {
    const proxy = new CuttableProxy(targetHost, targetPort);
    proxy.port = await freePort();
    await new Promise<void>((resolve) => proxy.server.listen(proxy.port, '127.0.0.1', resolve));
    return proxy;
  }

  private accept(client: Socket): void {
    if (!this.open) {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  }

  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.open = true;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A URL of the same database reached through `port` on loopback. */
export function viaPort(databaseUrl: string, port: number): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}
