// Shared pieces of the fleet tests: built API and worker processes (dist/main.js, as deployed), a
// loopback TCP proxy that a test can cut, and a small HTTP client. They live in the worker's
// workspace because it is built after the API (it depends on it), so both dist/ folders exist.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { join } from 'node:path';

const APPS = new URL('../../..', import.meta.url).pathname;
export const API_MAIN = join(APPS, 'api/dist/main.js');
export const WORKER_MAIN = join(APPS, 'worker/dist/main.js');
export const PEPPER = 'fleet-test-pepper-fleet-test-pepper-0123';

/** A free loopback port (closed again, so the caller can listen on it). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * The first of `count` consecutive free loopback ports, below Linux's ephemeral range (32768+) so
 * that no outgoing connection takes one of them between this check and the listen.
 */
export async function freePortRange(count: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    let free = true;
    for (let port = base; port < base + count && free; port++) free = await portIsFree(port);
    if (free) return base;
  }
}

/** A spawned process with its output kept and its exit awaited. */
export interface Proc {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnNode(main: string, env: Record<string, string>): Proc {
  const output: string[] = [];
  const child = spawn(process.execPath, [main], { env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    output,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

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

/** Polls until `check` is true (or throws with `what` after `timeoutMs`). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Resolves once `url`/v1/health/ready answers 200 (or the process died). */
export async function whenReady(proc: Proc & { url: string }, timeoutMs = 90_000): Promise<void> {
  await waitFor(`${proc.url} to be ready`, async () => proc.child.exitCode !== null || (await fetch(`${proc.url}/v1/health/ready`)).status === 200, timeoutMs);
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
export async function call(base: string, method: string, path: string, options: { token?: string; body?: unknown; raw?: string; contentType?: string; timeoutMs?: number } = {}): Promise<Answer> {
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
