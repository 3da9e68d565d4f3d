import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const here = new URL('../..', import.meta.url).pathname;
const API_MAIN = join(here, '../api/dist/main.js');
const WORKER_MAIN = join(here, '../worker/dist/main.js');
const WEB_DIST = join(here, 'dist');

/** Debian's Chromium (the binary, not the wrapper script), or CHROMIUM_PATH. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium';
}

/** Headless Chromium with the flags this closed network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const stopped = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/**
 * The built API serving the built page, on a fresh SQLite database. Usage counts roll up every
 * second, so a test sees a request in the chart without waiting a minute. With `worker`, the built
 * worker runs beside it on the same database and queue prefix (Redis at REDIS_URL, or the local
 * default) and sweeps every second: what the worker turns into notifications (a canary's use, for
 * one) then reaches the page as it would in production.
 */
export async function startProduct(options: { worker?: boolean } = {}): Promise<{ url: string; databaseUrl: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-web-'));
  const port = await freePort();
  const databaseUrl = `sqlite:${join(dir, 'web.sqlite')}`;
  const url = `http://127.0.0.1:${port}`;
  const shared = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', PUBLIC_URL: url, QUEUE_PREFIX: `tt-web-${port}` };
  const children: ChildProcess[] = [];
  children.push(
    spawn(process.execPath, [API_MAIN], {
      env: {
        ...shared,
        PORT: String(port),
        HOST: '127.0.0.1',
        WEB_DIST,
        TT_KEY_PEPPER: 'web-test-pepper-web-test-pepper-web-test',
        RATE_LIMIT_PREFIX: `tt-web:${port}`,
        USAGE_FLUSH_SECONDS: '1',
      },
      stdio: 'ignore',
    }),
  );
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/v1/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // Started once the API has made the schema, so the two never migrate one SQLite file at once.
  if (options.worker) children.push(spawn(process.execPath, [WORKER_MAIN], { env: { ...shared, SWEEP_CRON: '* * * * * *' }, stdio: 'ignore' }));
  return {
    url,
    databaseUrl,
    stop: async () => {
      await Promise.all(children.map(stopped));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
