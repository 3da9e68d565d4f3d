import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, type Worker, chromium } from 'playwright-core';

const here = new URL('../..', import.meta.url).pathname;
export const EXTENSION_DIST = join(here, 'dist');
const API_MAIN = join(here, '../api/dist/main.js');

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Pages served from loopback; a test sets a path's HTML before visiting it. */
export async function startPages(): Promise<{ url: string; set(path: string, html: string): void; close(): Promise<void> }> {
  const pages = new Map<string, string>();
  const server: Server = createHttpServer((req, res) => {
    const html = pages.get((req.url ?? '/').split('?')[0] ?? '/');
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, set: (path, html) => pages.set(path, html), close: () => new Promise((r) => server.close(() => r())) };
}

/** The built API on a throwaway SQLite database. */
export async function startApi(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-ext-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [API_MAIN], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'ext.sqlite')}`, LOG_LEVEL: 'warn', TT_KEY_PEPPER: 'extension-test-pepper-extension-test', RATE_LIMIT_PREFIX: `tt-ext:${port}`, QUEUE_PREFIX: `tt-ext-${port}` },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await fetch(`${url}/v1/health`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 200));
  return {
    url,
    stop: async () => {
      await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM'))));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Chromium (new headless) with the built extension loaded, and its service worker. */
export async function launchWithExtension(): Promise<{ context: BrowserContext; worker: Worker; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'tt-chromium-'));
  const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: false, // --headless=new below: the new headless mode loads extensions
    args: ['--headless=new', `--disable-extensions-except=${EXTENSION_DIST}`, `--load-extension=${EXTENSION_DIST}`, '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  let [worker] = context.serviceWorkers();
  worker ??= await context.waitForEvent('serviceworker', { timeout: 15_000 });
  return { context, worker, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

/** Dispatches a paste of `text` on the element matched by `selector`, as a browser would; true when not cancelled. */
export function paste(page: Page | ReturnType<Page['mainFrame']>, selector: string, text: string): Promise<boolean> {
  return page.evaluate(
    ([sel, value]) => {
      const target = document.querySelector(sel as string) as HTMLElement;
      target.focus();
      const data = new DataTransfer();
      data.setData('text/plain', value as string);
      return target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    [selector, text],
  );
}
