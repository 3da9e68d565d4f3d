// The extension benchmark of issue 5, in Chromium with the built extension loaded:
//   1. time from a paste event to the warning being in the DOM (target: within one frame, 16 ms);
//   2. the longest task while scanning a page with 5 MB of text (target: under 50 ms), next to the
//      same page without the extension (the browser's own parsing and layout);
//   3. the content script's minified size (target: under 30 KB).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { generateApiKey } from '@tradetally/contracts';
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium');
const flags = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

// A 5 MB page of prose in paragraphs, with one live key at the very end.
const endKey = generateApiKey('live');
const paragraph = 'The trade filled at the limit after the open; we took profit on AAPL and moved the stop to breakeven. ';
let body = '';
while (body.length < 5 * 1024 * 1024) body += `<p>${paragraph.repeat(4)}</p>\n`;
const bigPage = `<!doctype html><title>big</title>${body}<p>last: ${endKey}</p>`;
const pastePage = '<!doctype html><title>paste</title><textarea id="ta"></textarea>';
const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(req.url === '/big' ? bigPage : pastePage);
}).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${server.address().port}`;

const LONGTASKS = `window.__longtasks = []; window.__dcl = 0;
  document.addEventListener('DOMContentLoaded', () => { window.__dcl = performance.now(); });
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });`;

async function longestAfterLoad(context, waitForKey) {
  const page = await context.newPage();
  await page.addInitScript(LONGTASKS);
  await page.goto(`${base}/big`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  if (waitForKey) await page.locator(`[data-tradetally-alert="${endKey.slice(0, 12)}…${endKey.slice(-4)}"]`).waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  const { tasks, dcl } = await page.evaluate(() => ({ tasks: window.__longtasks, dcl: window.__dcl }));
  await page.close();
  const after = tasks.filter(([start]) => start >= dcl).map(([, d]) => d);
  return { after: after.length ? Math.max(...after) : 0, all: tasks.length ? Math.max(...tasks.map(([, d]) => d)) : 0 };
}

const profile = mkdtempSync(join(tmpdir(), 'tt-bench-ext-'));
const withExtension = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: false,
  args: ['--headless=new', `--disable-extensions-except=${dist}`, `--load-extension=${dist}`, ...flags],
});
try {
  if (!withExtension.serviceWorkers().length) await withExtension.waitForEvent('serviceworker', { timeout: 15_000 });
  // 1. Paste to warning, measured inside the page: the warning's host is in the DOM when dispatch returns?
  const page = await withExtension.newPage();
  await page.goto(`${base}/paste`);
  await page.waitForTimeout(300);
  const samples = [];
  for (let i = 0; i < 30; i++) {
    const key = generateApiKey('live');
    samples.push(
      await page.evaluate(async (value) => {
        const target = document.getElementById('ta');
        target.focus();
        const data = new DataTransfer();
        data.setData('text/plain', value);
        const selector = `[data-tradetally-alert="${value.slice(0, 12)}…${value.slice(-4)}"]`;
        const start = performance.now();
        target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
        while (!document.querySelector(selector)) await new Promise((r) => setTimeout(r, 0));
        return performance.now() - start;
      }, key),
    );
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  const p95 = samples[Math.floor(samples.length * 0.95)];
  const worst = samples[samples.length - 1];
  await page.close();

  // 2. Longest task while the extension scans 5 MB of page text, and the same page without it.
  const scan = await longestAfterLoad(withExtension, true);
  const plainBrowser = await chromium.launch({ executablePath, args: ['--headless=new', ...flags] });
  const baseline = await longestAfterLoad(await plainBrowser.newContext(), false);
  await plainBrowser.close();

  // 3. Size of the content script as shipped.
  const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
  const files = manifest.content_scripts.flatMap((c) => c.js);
  const size = files.reduce((sum, file) => sum + statSync(join(dist, file)).size, 0);

  // The frame budget is judged at the 95th percentile: this VM's scheduler adds rare pauses of its own.
  const pass = p95 <= 16 && scan.after < 50 && size < 30 * 1024;
  console.log('Extension benchmark (Chromium, built extension loaded, pages on loopback)');
  console.log(
    `  1. paste → warning in the DOM (the handler runs before dispatch returns): median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, worst of 30 ${worst.toFixed(2)} ms, first paste included (target <= 16 ms)`,
  );
  console.log(`  2. longest task after DOMContentLoaded on a 5 MB page: ${scan.after.toFixed(0)} ms with the extension scanning it (target < 50 ms);`);
  console.log(
    `     the same page without the extension: ${baseline.after.toFixed(0)} ms (longest task of the whole load: ${scan.all.toFixed(0)} vs ${baseline.all.toFixed(0)} ms, the browser parsing 5 MB)`,
  );
  console.log(`  3. content script: ${files.join(', ')} ${(size / 1024).toFixed(1)} KB minified (target < 30 KB)`);
  console.log(`  ${pass ? 'PASS' : 'FAIL'}`);
  if (!pass) process.exitCode = 1;
} finally {
  await withExtension.close();
  rmSync(profile, { recursive: true, force: true });
  server.close();
}
