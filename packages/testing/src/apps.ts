import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { type Proc, spawnNode } from './process.js';

// dist/apps.js (and src/apps.ts) sit two folders below packages/testing, three below the repository root.
const ROOT = new URL('../../..', import.meta.url).pathname;
/** The repository's root folder (with a trailing slash). */
export const REPOSITORY_ROOT = ROOT;
/** The built API, as deployed. Turbo builds it before the test tasks that need it (turbo.json). */
export const API_MAIN = join(ROOT, 'apps/api/dist/main.js');
/** The built worker, as deployed. */
export const WORKER_MAIN = join(ROOT, 'apps/worker/dist/main.js');
/** A pepper for test APIs and for rows tests seed themselves (32+ characters, as the API requires). */
export const TEST_PEPPER = 'test-pepper-test-pepper-test-pepper-0123';

function built(main: string): string {
  if (!existsSync(main)) throw new Error(`${main} is missing: build it first (TURBO_TELEMETRY_DISABLED=1 npx turbo run build)`);
  return main;
}

/** A built API process that answered its health check. */
export interface BuiltApi extends Proc {
  url: string;
  port: number;
}

/**
 * Starts the built API on a free loopback port (or `env.PORT`) and waits until `/v1/health/live`
 * (or `/v1/health`) answers 200, with PUBLIC_URL its own address. An early exit or `timeoutMs` without an answer stops the process
 * and throws with its output. Rate limits and queue names get a fresh prefix per start, so tests
 * sharing one Redis never collide; `env` overrides any default.
 */
export async function startBuiltApi(options: { databaseUrl: string; env?: Record<string, string>; timeoutMs?: number }): Promise<BuiltApi> {
  const port = options.env?.PORT ? Number(options.env.PORT) : await freePort();
  const tag = randomBytes(4).toString('hex');
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnNode(built(API_MAIN), {
    NODE_ENV: 'test',
    // Its own address, as a deployment sets it: the API allows browser requests from this origin.
    PUBLIC_URL: url,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    TT_KEY_PEPPER: TEST_PEPPER,
    RATE_LIMIT_PREFIX: `tt-test:${tag}:rl`,
    QUEUE_PREFIX: `tt-test-${tag}`,
    ...options.env,
    DATABASE_URL: options.databaseUrl,
    PORT: String(port),
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const until = Date.now() + timeoutMs;
  const answers = async (path: string) =>
    fetch(`${url}${path}`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`the API exited (${proc.child.exitCode ?? proc.child.signalCode}) before answering ${url}/v1/health:\n${proc.output.join('')}`);
    }
    if ((await answers('/v1/health/live')) || (await answers('/v1/health'))) return { ...proc, url, port };
    if (Date.now() >= until) {
      await proc.stop('SIGKILL');
      throw new Error(`the API did not answer ${url}/v1/health within ${timeoutMs} ms:\n${proc.output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts the built worker with `env` over the current environment (NODE_ENV=test unless given).
 * It returns at once, as a worker may be meant to start before its Redis or database; await
 * `ready()` for its "worker ready" line (it throws with the output on an early exit or a timeout).
 */
export function startBuiltWorker(env: Record<string, string>): Proc & { ready(timeoutMs?: number): Promise<void> } {
  const proc = spawnNode(built(WORKER_MAIN), { NODE_ENV: 'test', ...env });
  return { ...proc, ready: (timeoutMs = 60_000) => proc.waitForOutput('worker ready', timeoutMs) };
}
