import { type CreateApiKeyResponse, type Detection, EXTENSION_ID, type ExtensionSettings, generateApiKey } from '@tradetally/contracts';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { badgeOf, launchWithExtension, observeNotifications, paste, popupFor, startApi, startPages, tabIdOf, warningFor } from './testing/harness.js';

// security.md, "The extension against the page, round two", in real Chromium: a page can style,
// move, cover or remove anything in its DOM, the warning's host included, and can show any number
// of generated keys with valid checksums. Each rule here failed its test before its fix.

const labelOf = (key: string) => `${key.slice(0, 12)}…${key.slice(-4)}`;
const alertOf = (key: string) => `[data-tradetally-alert="${labelOf(key)}"]`;
const PASSWORD = 'a long enough password';

/** Page CSS that hides and moves the warning, and a decoy that the page keeps under the warning's buttons. */
const DECOY = `<!doctype html><title>decoy</title>
<style>tradetally-alert { opacity: 0 !important; top: 40px !important; left: 40px !important; }
  #decoy { position: fixed; top: 40px; left: 40px; width: 360px; height: 200px; font-size: 28px; }</style>
<button id="decoy" onclick="window.decoyClicks = (window.decoyClicks || 0) + 1">Claim your prize</button>
<textarea id="ta" style="margin-top: 300px"></textarea>`;

/** A page that removes every warning the moment it appears (before it is ever painted). */
const REMOVER = `<!doctype html><title>remover</title><textarea id="ta"></textarea>
<script>new MutationObserver((records) => { for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1 && n.hasAttribute('data-tradetally-alert')) { n.remove(); window.removed = (window.removed || 0) + 1; } })
  .observe(document.documentElement, { childList: true, subtree: true });</script>`;

/** `count` generated live keys (valid checksums, unknown to any API) in page text. */
const fakeKeys = (count: number) => Array.from({ length: count }, () => `<p>${generateApiKey('live')}</p>`).join('');

describe('the alarm a page cannot silence', () => {
  let pages: Awaited<ReturnType<typeof startPages>>;
  let api: Awaited<ReturnType<typeof startApi>>;
  let browser: Awaited<ReturnType<typeof launchWithExtension>>;
  let context: BrowserContext;
  let worker: Worker;
  let page: Page;
  let shown: Awaited<ReturnType<typeof observeNotifications>>;

  const settings = (over: Partial<ExtensionSettings> = {}) =>
    worker.evaluate((value) => chrome.storage.local.set({ settings: value }), {
      apiUrl: api.url,
      blockLivePastes: false,
      autoRevokePageKeys: false,
      ignoredSites: [],
      ...over,
    });
  const local = () => worker.evaluate(() => chrome.storage.local.get(null)) as Promise<{ settings: ExtensionSettings; detections?: Detection[] }>;
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  /** A signed-in extension (options page, real form) for a new account; returns a live key of it. */
  const signedInWithKey = async () => {
    const email = `alarm-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    await post('/v1/auth/register', { email, password: PASSWORD });
    const { token } = (await (await post('/v1/auth/login', { email, password: PASSWORD })).json()) as { token: string };
    const { secret } = (await (await post('/v1/api-keys', { name: 'Broker import', scope: 'read_write' }, token)).json()) as CreateApiKeyResponse;
    const options = await context.newPage();
    await options.goto(`chrome-extension://${EXTENSION_ID}/src/options/index.html`);
    await options.getByLabel('E-mail').fill(email);
    await options.getByLabel('Password').fill(PASSWORD);
    await options.getByRole('button', { name: 'Sign in' }).click();
    await options.getByText(`Signed in as ${email}`, { exact: false }).first().waitFor();
    await options.close();
    return secret;
  };

  beforeAll(async () => {
    [pages, api] = await Promise.all([startPages(), startApi()]);
    browser = await launchWithExtension();
    ({ context, worker } = browser);
    shown = await observeNotifications(worker);
    pages.set('/decoy', DECOY);
    pages.set('/remover', REMOVER);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([pages?.close(), api?.stop()]);
  });

  beforeEach(async () => {
    await settings();
    await worker.evaluate(() => chrome.storage.session.remove('session'));
    await page?.close();
    page = await context.newPage();
  });

  it('offers no ignore control in the page: hidden, moved and covered by a decoy, real clicks on it cannot change the ignore list', async () => {
    await page.goto(`${pages.url}/decoy`);
    const key = generateApiKey('live');
    await paste(page, '#ta', key);
    await page.locator(alertOf(key)).waitFor();
    const warning = await warningFor(page, labelOf(key));
    const buttons = await warning.buttons();
    // A person clicks whatever the page puts under the pointer, the warning's every button
    // included ("Dismiss" last, since it closes the warning), and the decoy itself.
    // (A button that closed the warning leaves the later ones unclickable.)
    for (const name of [...buttons.filter((b) => b !== 'Dismiss'), 'Dismiss']) await warning.click(name).catch(() => undefined);
    await page.mouse.click(200, 120);
    await expect.poll(() => page.evaluate(() => (window as unknown as { decoyClicks?: number }).decoyClicks ?? 0)).toBeGreaterThan(0);
    expect((await local()).settings.ignoredSites).toEqual([]);
    expect(buttons).toEqual(['Revoke this key now', 'Dismiss']);
    // Page CSS cannot make the warning invisible either: its visibility is decided inside its shadow root.
    const again = generateApiKey('live');
    await paste(page, '#ta', again);
    expect(await page.locator(alertOf(again)).evaluate((host) => getComputedStyle(host).opacity)).toBe('1');
    // The control lives in the extension's own UI: the popup over this tab.
    const popup = await popupFor(context, await tabIdOf(worker, page));
    await popup.getByRole('button', { name: 'Ignore on 127.0.0.1' }).click();
    await expect.poll(async () => (await local()).settings.ignoredSites).toEqual(['127.0.0.1']);
    await popup.close();
  });

  it('raises the badge and a system notification in every tab when the page removes the warning at once', async () => {
    const key = generateApiKey('live');
    const second = await context.newPage();
    try {
      for (const tab of [page, second]) {
        await tab.goto(`${pages.url}/remover`);
        await paste(tab, '#ta', key);
        await tab.waitForFunction(() => (window as unknown as { removed?: number }).removed === 1);
        expect(await tab.locator('[data-tradetally-alert]').count()).toBe(0);
        const tabId = await tabIdOf(worker, tab);
        await expect.poll(() => badgeOf(worker, tabId)).toBe('1');
        await expect
          .poll(async () => (await shown()).filter((n) => n.id.startsWith(`tt|${tabId}|`)).map((n) => n.message))
          .toEqual([`${labelOf(key)} appeared on 127.0.0.1. Revoke it from the page's warning or in your TradeTally settings.`]);
      }
    } finally {
      await second.close();
    }
  });

  it('shows the same warning, at the same size, for the user’s own key and a stranger’s', async () => {
    const own = await signedInWithKey();
    const stranger = generateApiKey('live');
    pages.set('/two', '<!doctype html><textarea id="a"></textarea><textarea id="b" style="margin-left: 400px"></textarea>');
    await page.goto(`${pages.url}/two`);
    await paste(page, '#a', own);
    await paste(page, '#b', stranger);
    // Wait until the extension knows the key is the user's (the popup names it): a warning that
    // depended on it would have changed by then.
    const popup = await popupFor(context, await tabIdOf(worker, page));
    await expect.poll(async () => (await popup.reload(), popup.locator('#this-page').innerText())).toContain('Your key "Broker import"');
    await popup.close();
    const box = async (key: string) => {
      const { width, height } = (await page.locator(alertOf(key)).boundingBox()) ?? { width: 0, height: 0 };
      return { width, height };
    };
    expect(await box(own)).toEqual(await box(stranger));
    const text = async (key: string) => (await (await warningFor(page, labelOf(key))).text())?.replace(labelOf(key), 'KEY');
    expect(await text(own)).toBe(await text(stranger));
  });

  it('bounds a flood of 50 fake keys: at most 3 notifications and 20 records a page load, and earlier records stay', async () => {
    await worker.evaluate(() => chrome.storage.local.set({ detections: [] }));
    // A real detection first, on another site in another tab.
    pages.set('/real', '<!doctype html><textarea id="ta"></textarea>');
    const real = generateApiKey('live');
    const other = await context.newPage();
    await other.goto(`${pages.url.replace('127.0.0.1', 'real.test')}/real`);
    await paste(other, '#ta', real);
    await expect
      .poll(async () => (await local()).detections?.some((d) => d.prefix === real.slice(0, 12) && d.site === 'real.test'), { timeout: 10_000 })
      .toBe(true);
    await other.close();

    pages.set('/flood', `<!doctype html><title>flood</title>${fakeKeys(50)}`);
    await page.goto(`${pages.url}/flood`);
    const tabId = await tabIdOf(worker, page);
    const fromFlood = async () => ((await local()).detections ?? []).filter((d) => d.site === '127.0.0.1').length;
    // The badge counts all 50 once the worker has taken every report: then records and notifications are final.
    await expect.poll(() => badgeOf(worker, tabId), { timeout: 15_000 }).toBe('50');
    expect(await fromFlood()).toBe(20);
    const flooded = () => shown().then((all) => all.filter((n) => n.id.startsWith(`tt|${tabId}|`)));
    expect(await flooded()).toHaveLength(3);
    expect((await flooded())[2]?.contextMessage).toBe('…and 47 more live keys in this tab');

    // Reloading for more: ten more page loads of 50 fill the history, and evict nothing older.
    for (let load = 0; load < 10; load++) {
      pages.set('/flood', `<!doctype html><title>flood</title>${fakeKeys(50)}`);
      await page.reload();
      await expect.poll(() => badgeOf(worker, tabId), { timeout: 15_000 }).toBe('50');
    }
    const history = (await local()).detections ?? [];
    expect(history).toHaveLength(200);
    expect(history.at(-1)).toMatchObject({ prefix: real.slice(0, 12), site: 'real.test' });
    expect(await flooded()).toHaveLength(3);
    const popup = await popupFor(context, tabId);
    await popup.locator('#history-full').waitFor();
    await popup.close();
  });

  it('budgets owner lookups per tab, all frames together', async () => {
    await signedInWithKey();
    const lookups = await worker.evaluate(() => {
      const scope = globalThis as unknown as { lookups?: number; fetch: typeof fetch };
      if (scope.lookups === undefined) {
        const original = scope.fetch.bind(globalThis);
        scope.fetch = (input, init) => {
          if (String(input).endsWith('/v1/api-keys/lookup')) scope.lookups = (scope.lookups ?? 0) + 1;
          return original(input, init);
        };
      }
      scope.lookups = 0;
      return true;
    });
    expect(lookups).toBe(true);
    // Five frames of ten keys each: a per-frame budget of ten would allow fifty lookups.
    for (let frame = 0; frame < 5; frame++) pages.set(`/keys-${frame}`, `<!doctype html>${fakeKeys(10)}`);
    pages.set('/frames', `<!doctype html>${[0, 1, 2, 3, 4].map((f) => `<iframe src="/keys-${f}"></iframe>`).join('')}`);
    await page.goto(`${pages.url}/frames`);
    const tabId = await tabIdOf(worker, page);
    await expect.poll(() => badgeOf(worker, tabId), { timeout: 15_000 }).toBe('50');
    // Every frame has asked once the tab's state lists 50 keys looked up or refused.
    await expect
      .poll(() =>
        worker.evaluate(async (id) => ((await chrome.storage.session.get(`tab-${id}`))[`tab-${id}`] as { lookedUp: string[] }).lookedUp.length, tabId),
      )
      .toBe(50);
    expect(await worker.evaluate(() => (globalThis as unknown as { lookups: number }).lookups)).toBe(10);
  });
});
