// Takes the README's screenshots of the in-page warning and of the popup signed out (as after a
// browser restart) from the built extension in Chromium:
// `npm run build && npm run screenshot -w @tradetally/extension`.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '@tradetally/contracts';
import { chromium } from 'playwright-core';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const out = join(root, '../../docs/screenshots');
const chat = `<!doctype html><html><head><title>Support chat</title><style>
  body { font: 15px system-ui, sans-serif; background: #f3f4f6; margin: 0; }
  main { max-width: 640px; margin: 40px auto; background: #fff; border-radius: 12px; padding: 20px 24px; box-shadow: 0 2px 12px rgba(0,0,0,.08); }
  .msg { background: #e5e7eb; border-radius: 10px; padding: 8px 12px; margin: 8px 0; width: fit-content; }
  textarea { width: 100%; height: 70px; margin-top: 16px; font: inherit; padding: 8px; box-sizing: border-box; }
  </style></head><body><main><h2>Broker support chat</h2>
  <div class="msg">Hi! Your import failed with 401. Can you share the API key you configured?</div>
  <textarea id="reply" placeholder="Type a message"></textarea></main></body></html>`;
const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(chat)).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const profile = mkdtempSync(join(tmpdir(), 'tt-shot-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? (existsSync('/usr/lib/chromium/chromium') ? '/usr/lib/chromium/chromium' : '/usr/bin/chromium'),
  headless: false,
  viewport: { width: 900, height: 520 },
  args: [
    '--headless=new',
    `--disable-extensions-except=${dist}`,
    `--load-extension=${dist}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  if (!context.serviceWorkers().length) await context.waitForEvent('serviceworker', { timeout: 15_000 });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForTimeout(300);
  // A freshly generated key that no server knows: only its prefix and last four show anyway.
  await page.evaluate((key) => {
    const target = document.getElementById('reply');
    target.focus();
    const data = new DataTransfer();
    data.setData('text/plain', key);
    target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, generateApiKey('live'));
  await page.locator('tradetally-alert').waitFor();
  await page.waitForTimeout(300);
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: join(out, 'extension-warning.png') });
  console.log(`screenshot written to ${join(out, 'extension-warning.png')}`);
  // The popup as a tab of its own size, never signed in here: it says so and offers sign-in.
  const [worker] = context.serviceWorkers();
  const popup = await context.newPage();
  await popup.setViewportSize({ width: 360, height: 300 });
  await popup.goto(`chrome-extension://${new URL(worker.url()).host}/src/popup/index.html`);
  await popup.getByText('Signed out.').waitFor();
  await popup.screenshot({ path: join(out, 'extension-popup-signed-out.png'), fullPage: true });
  console.log(`screenshot written to ${join(out, 'extension-popup-signed-out.png')}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  server.close();
}
