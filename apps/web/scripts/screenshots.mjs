// Takes the README's screenshots from the real page: `npm run screenshots -w @tradetally/web`
// (after `npm run build`). Starts the built API on a throwaway SQLite database, makes a few keys
// through the API, and photographs the key list, the create dialog and the one-time secret.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const here = new URL('..', import.meta.url).pathname;
const out = join(here, '../../docs/screenshots');
const dir = mkdtempSync(join(tmpdir(), 'tt-shots-'));
const port = 3900 + Math.floor(Math.random() * 90);
const url = `http://127.0.0.1:${port}`;
const api = spawn(process.execPath, [join(here, '../api/dist/main.js')], {
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'shots.sqlite')}`, WEB_DIST: join(here, 'dist'), LOG_LEVEL: 'warn', PUBLIC_URL: url },
  stdio: 'ignore',
});
const call = async (method, path, body, token) => {
  const response = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return response.json();
};
const days = (n) => new Date(Date.now() + n * 86_400_000).toISOString();
try {
  for (let i = 0; i < 50 && !(await fetch(`${url}/v1/health`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 200));
  const email = 'ann@example.com';
  const password = 'correct horse battery';
  await call('POST', '/v1/auth/register', { email, password });
  const { token } = await call('POST', '/v1/auth/login', { email, password });
  // Screenshots show test keys only: a tt_test_ secret in a picture is no one's live key.
  const importer = await call('POST', '/v1/api-keys', { name: 'Broker import', scope: 'read_write', environment: 'test', expiresAt: days(5) }, token);
  await call('POST', '/v1/api-keys', { name: 'Dashboard', scope: 'read', environment: 'test', expiresAt: days(90) }, token);
  const old = await call('POST', '/v1/api-keys', { name: 'Nightly backup script', scope: 'read', environment: 'test', expiresAt: null }, token);
  await call('POST', `/v1/api-keys/${old.apiKey.id}/rotate`, { gracePeriodMinutes: 1440 }, token);
  await fetch(`${url}/v1/trades`, { headers: { authorization: `Bearer ${importer.secret}` } });
  const leaked = await call('POST', '/v1/api-keys', { name: 'Spreadsheet add-on', scope: 'read', environment: 'test', expiresAt: days(30) }, token);
  await call('POST', '/v1/leaks', { key: leaked.secret, url: 'https://forum.example/t/42', source: 'page' });

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? (existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
  await page.goto(url);
  await page.evaluate((t) => globalThis.sessionStorage.setItem('tradetally.session', t), token);
  await page.reload();
  await page.getByRole('heading', { name: 'Your keys', exact: true }).waitFor();
  await page.getByRole('button', { name: 'All' }).click();
  await page.waitForTimeout(300);
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: join(out, 'keys-list.png'), fullPage: true });
  await page.getByRole('button', { name: 'Active' }).click();
  await page.getByRole('button', { name: 'Create key' }).click();
  const create = page.getByTestId('create-dialog');
  await create.getByLabel('Name').fill('Tax report export');
  await create.getByRole('radio', { name: 'Test', exact: false }).check();
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(out, 'create-dialog.png') });
  await create.getByRole('button', { name: 'Create key' }).click();
  await page.getByTestId('secret-dialog').waitFor();
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(out, 'one-time-secret.png') });
  await browser.close();
  console.log(`screenshots written to ${out}`);
} finally {
  api.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
