// Takes the docs' screenshots from the real page: `npm run screenshots -w @tradetally/web` (after
// `npm run build` of the API, the worker and the page). Starts the built API and worker on a
// throwaway SQLite database (Redis at REDIS_URL or the local default, under a queue prefix of its
// own), makes keys through the API, and photographs the key list, the create and decoy dialogs, the
// one-time secret, a key's usage chart and the alert a decoy's use raises.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '@tradetally/database';
import { chromium } from 'playwright-core';

const here = new URL('..', import.meta.url).pathname;
const out = join(here, '../../docs/screenshots');
const dir = mkdtempSync(join(tmpdir(), 'tt-shots-'));
const port = 3900 + Math.floor(Math.random() * 90);
const url = `http://127.0.0.1:${port}`;
const databaseUrl = `sqlite:${join(dir, 'shots.sqlite')}`;
const shared = { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', PUBLIC_URL: url, QUEUE_PREFIX: `tt-shots-${port}` };
const children = [
  spawn(process.execPath, [join(here, '../api/dist/main.js')], {
    // Usage rolls up every second, so the requests made below are in the chart at once.
    env: { ...shared, PORT: String(port), HOST: '127.0.0.1', WEB_DIST: join(here, 'dist'), RATE_LIMIT_PREFIX: `tt-shots:${port}`, USAGE_FLUSH_SECONDS: '1' },
    stdio: 'ignore',
  }),
];
const call = async (method, path, body, token) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.status === 204 ? null : response.json();
};
const use = (secret, userAgent, method = 'GET') =>
  fetch(`${url}/v1/trades`, {
    method,
    headers: { authorization: `Bearer ${secret}`, 'user-agent': userAgent, 'content-type': 'application/json' },
    body: method === 'POST' ? '{}' : undefined,
  });
const days = (n) => new Date(Date.now() + n * 86_400_000).toISOString();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
try {
  for (
    let i = 0;
    i < 50 &&
    !(await fetch(`${url}/v1/health`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await sleep(200);
  // The worker joins once the API has made the schema; it turns the decoy's use into an alert.
  children.push(spawn(process.execPath, [join(here, '../worker/dist/main.js')], { env: { ...shared, SWEEP_CRON: '* * * * * *' }, stdio: 'ignore' }));
  const email = 'ann@example.com';
  const password = 'correct horse battery';
  await call('POST', '/v1/auth/register', { email, password });
  const { token } = await call('POST', '/v1/auth/login', { email, password });
  // Screenshots show test keys only: a tt_test_ secret in a picture is no one's live key.
  const importer = await call(
    'POST',
    '/v1/api-keys',
    { name: 'Broker import', scope: 'read_write', environment: 'test', expiresAt: days(5), allowedIps: ['127.0.0.1', '203.0.113.0/24', '2001:db8:42::/48'] },
    token,
  );
  const dashboard = await call('POST', '/v1/api-keys', { name: 'Dashboard', scope: 'read', environment: 'test', expiresAt: days(90), selfRotate: true }, token);
  const old = await call('POST', '/v1/api-keys', { name: 'Nightly backup script', scope: 'read', environment: 'test', expiresAt: null }, token);
  await call('POST', `/v1/api-keys/${old.apiKey.id}/rotate`, { gracePeriodMinutes: 1440 }, token);
  const idle = await call('POST', '/v1/api-keys', { name: 'Old tax export', scope: 'read', environment: 'test', expiresAt: days(200) }, token);
  const decoy = await call('POST', '/v1/api-keys', { name: 'prod .env (decoy)', scope: 'read', environment: 'test', expiresAt: null, canary: true }, token);
  const leaked = await call('POST', '/v1/api-keys', { name: 'Spreadsheet add-on', scope: 'read', environment: 'test', expiresAt: days(30) }, token);
  await call('POST', '/v1/leaks', { key: leaked.secret, url: 'https://forum.example/t/42', source: 'page' });
  // Today's use, for real: accepted reads and writes, and a few refused for scope.
  for (let i = 0; i < 12; i++) await use(importer.secret, 'broker-sync/3.2.0 node/24', i % 3 ? 'GET' : 'POST');
  for (let i = 0; i < 4; i++) await use(dashboard.secret, CHROME);
  for (let i = 0; i < 3; i++) await use(dashboard.secret, CHROME, 'POST');

  // The past is planted: a month of the importer's history, and ages the API cannot fake.
  const db = await openDb(databaseUrl, { migrate: false });
  for (let d = 29; d >= 1; d--) {
    const day = new Date(Date.now() - d * 86_400_000);
    const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
    const requests = weekend ? d % 5 : 40 + ((d * 37) % 55);
    const rejected = d === 9 ? 23 : d % 7 === 3 ? 4 : 0;
    await db.query('INSERT INTO api_key_usage (api_key_id, day, requests, rejected) VALUES ($1, $2, $3, $4)', [
      importer.apiKey.id,
      day.toISOString().slice(0, 10),
      requests,
      rejected,
    ]);
  }
  await db.query('UPDATE api_keys SET created_at = $1 WHERE id = $2', [new Date(Date.now() - 86 * 86_400_000), importer.apiKey.id]);
  await db.query('UPDATE api_keys SET created_at = $1 WHERE id = $2', [new Date(Date.now() - 45 * 86_400_000), idle.apiKey.id]);
  await db.close();
  await sleep(2500); // two roll-ups: today's requests are counted

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? (existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
  const ready = async () => {
    await page.getByRole('heading', { name: 'Your keys', exact: true }).waitFor();
    await page.waitForLoadState('networkidle');
  };
  await page.goto(url);
  await page.evaluate((t) => globalThis.sessionStorage.setItem('tradetally.session', t), token);
  await page.reload();
  await ready();
  await page.getByRole('button', { name: 'All' }).click();
  await page.waitForTimeout(300);
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: join(out, 'keys-list.png'), fullPage: true });

  await page.getByRole('button', { name: 'Active' }).click();
  // Tall enough for the whole create dialog, self-rotation's explanation included.
  await page.setViewportSize({ width: 1280, height: 1240 });
  await page.getByRole('button', { name: 'Create key' }).click();
  const create = page.getByTestId('create-dialog');
  await create.getByLabel('Name').fill('Tax report export');
  await create.getByRole('radio', { name: 'Test', exact: false }).check();
  await create.getByLabel('Allowed addresses').fill('198.51.100.20\n2001:db8:7::/64');
  await create.getByLabel('Let this key rotate itself').check();
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(out, 'create-dialog.png') });
  await create.getByRole('button', { name: 'Create key' }).click();
  await page.getByTestId('secret-dialog').waitFor();
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(out, 'one-time-secret.png') });
  await page.getByLabel('I have stored this key somewhere safe').check();
  await page.getByRole('button', { name: 'Done' }).click();
  await ready();

  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.getByRole('button', { name: 'Create a decoy key' }).click();
  const decoyDialog = page.getByTestId('decoy-dialog');
  await decoyDialog.getByLabel('Name').fill('AWS backup credentials');
  await decoyDialog.getByRole('radio', { name: 'Test', exact: false }).check();
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(out, 'decoy-dialog.png') });
  await decoyDialog.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('button', { name: 'History of Broker import' }).click();
  await page.getByTestId('usage-chart').waitFor();
  await page.waitForTimeout(200);
  await page
    .getByTestId('history-dialog')
    .locator('article')
    .screenshot({ path: join(out, 'usage-chart.png') });
  await page.getByTestId('history-dialog').getByRole('button', { name: 'Close' }).click();

  // Someone found the decoy: the worker alerts its owner within seconds here (its sweep runs every second).
  await use(decoy.secret, 'python-requests/2.32.3');
  for (let i = 0; i < 60; i++) {
    const notes = await call('GET', '/v1/notifications?limit=50', null, token);
    if (notes.data.some((n) => n.type === 'key_canary_triggered')) break;
    await sleep(500);
  }
  await page.reload();
  await ready();
  await page.getByTestId('canary-banner').waitFor();
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(out, 'canary-banner.png'), clip: { x: 0, y: 0, width: 1280, height: 560 } });
  await browser.close();
  console.log(`screenshots written to ${out}`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
