/* global chrome -- the callbacks passed to worker.evaluate() run in the extension */
// Takes the docs' screenshots from the built extension in Chromium (`npm run build && npm run
// screenshot -w @tradetally/extension`): the in-page warning in a light and a dark page, the popup
// over that tab (where "Ignore on this site" lives), and the options page under an organisation's
// policy. The last one writes a policy file to /etc/chromium/policies/managed (root only) and
// removes it afterwards; without root it is skipped.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENSION_ID, generateApiKey } from '@tradetally/contracts';
import { CHROMIUM_ARGS, chromiumPath } from '@tradetally/testing';
import { chromium } from 'playwright-core';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const out = join(root, '../../docs/screenshots');
const executablePath = chromiumPath();
const chat = `<!doctype html><html><head><title>Support chat</title><style>
  body { font: 15px system-ui, sans-serif; background: #f3f4f6; color: #111827; margin: 0; }
  main { max-width: 640px; margin: 40px auto; background: #fff; border-radius: 12px; padding: 20px 24px; box-shadow: 0 2px 12px rgba(0,0,0,.08); }
  .msg { background: #e5e7eb; border-radius: 10px; padding: 8px 12px; margin: 8px 0; width: fit-content; }
  textarea { width: 100%; height: 70px; margin-top: 16px; font: inherit; padding: 8px; box-sizing: border-box; background: inherit; color: inherit; }
  @media (prefers-color-scheme: dark) { body { background: #0b0f19; color: #e5e7eb; } main { background: #111827; } .msg { background: #1f2937; } }
  </style></head><body><main><h2>Broker support chat</h2>
  <div class="msg">Hi! Your import failed with 401. Can you share the API key you configured?</div>
  <textarea id="reply" placeholder="Type a message"></textarea></main></body></html>`;
const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(chat)).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
// support.chat.example resolves to the page server: the popup and the warning name a real-looking site.
const site = `http://support.chat.example:${server.address().port}/`;

async function launch(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'tt-shot-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: false,
    viewport: { width: 900, height: 520 },
    ...options,
    args: [
      '--headless=new',
      `--disable-extensions-except=${dist}`,
      `--load-extension=${dist}`,
      ...CHROMIUM_ARGS,
      '--host-resolver-rules=MAP *.example 127.0.0.1',
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  await worker.evaluate(() => chrome.storage.managed.get(null)); // policies loaded
  return { context, worker, close: () => context.close().then(() => rmSync(profile, { recursive: true, force: true })) };
}

/** Pastes a freshly generated key (no server knows it: only its prefix and last four show anyway). */
async function pasteKey(page) {
  await page.evaluate((key) => {
    const target = document.getElementById('reply');
    target.focus();
    const data = new DataTransfer();
    data.setData('text/plain', key);
    target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, generateApiKey('live'));
  await page.locator('tradetally-alert').waitFor();
  await page.waitForTimeout(300);
}

const shot = async (page, name, options = {}) => {
  await page.screenshot({ path: join(out, name), ...options });
  console.log(`screenshot written to ${join(out, name)}`);
};

mkdirSync(out, { recursive: true });
try {
  for (const colorScheme of ['light', 'dark']) {
    const browser = await launch({ colorScheme });
    try {
      const page = await browser.context.newPage();
      await page.goto(site);
      await page.waitForTimeout(300);
      const [tab] = await browser.worker.evaluate(() => chrome.tabs.query({ active: true }));
      await pasteKey(page);
      await shot(page, colorScheme === 'light' ? 'extension-warning.png' : 'extension-warning-dark.png');
      if (colorScheme === 'light') {
        // The popup over that tab, as the toolbar button opens it: signed out, the key, "Ignore on …".
        const popup = await browser.context.newPage();
        await popup.setViewportSize({ width: 360, height: 300 });
        await popup.goto(`chrome-extension://${EXTENSION_ID}/src/popup/index.html?tab=${tab.id}`);
        await popup.getByRole('button', { name: /^Ignore on/ }).waitFor();
        await shot(popup, 'extension-popup.png', { fullPage: true });
      }
    } finally {
      await browser.close();
    }
  }
  if (process.getuid?.() !== 0) console.log('not root: skipping the options page under a managed policy');
  else {
    const policyFile = `/etc/chromium/policies/managed/tradetally-screenshot-${process.pid}.json`;
    const policy = { apiUrl: 'https://tradetally.corp.example', blockLivePastesOn: ['*.slack.com', 'chat.example'], allowIgnore: false };
    mkdirSync('/etc/chromium/policies/managed', { recursive: true });
    writeFileSync(policyFile, JSON.stringify({ '3rdparty': { extensions: { [EXTENSION_ID]: policy } } }));
    try {
      const browser = await launch({ viewport: { width: 640, height: 600 } });
      try {
        const options = await browser.context.newPage();
        await options.goto(`chrome-extension://${EXTENSION_ID}/src/options/index.html`);
        await options.locator('#ignore-off').waitFor();
        await shot(options, 'extension-options-managed.png', { fullPage: true });
      } finally {
        await browser.close();
      }
    } finally {
      rmSync(policyFile, { force: true });
    }
  }
} finally {
  server.close();
}
