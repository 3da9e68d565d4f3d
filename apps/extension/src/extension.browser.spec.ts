import { type CreateApiKeyResponse, generateApiKey } from '@tradetally/contracts';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { badgeOf, launchWithExtension, observeNotifications, paste, popupFor, startApi, startPages, tabIdOf, warningFor } from './testing/harness.js';

const labelOf = (key: string) => `${key.slice(0, 12)}…${key.slice(-4)}`;
const alertOf = (key: string) => `[data-tradetally-alert="${labelOf(key)}"]`;
const FORM = `<!doctype html><title>form</title>
  <textarea id="ta"></textarea><input id="in"><div id="ce" contenteditable="true"></div>
  <iframe src="/frame" width="300" height="80"></iframe>
  <script>window.pagePastes = 0; document.getElementById('ta').addEventListener('paste', () => window.pagePastes++);</script>`;

describe('the extension in Chromium', () => {
  let pages: Awaited<ReturnType<typeof startPages>>;
  let api: Awaited<ReturnType<typeof startApi>>;
  let browser: Awaited<ReturnType<typeof launchWithExtension>>;
  let context: BrowserContext;
  let worker: Worker;
  let page: Page;

  const settings = (over: Record<string, unknown> = {}) =>
    worker.evaluate((value) => chrome.storage.local.set({ settings: value }), {
      apiUrl: api.url,
      blockLivePastes: false,
      autoRevokePageKeys: false,
      ignoredSites: [],
      ...over,
    });
  const storage = () =>
    worker.evaluate(async () => JSON.stringify({ local: await chrome.storage.local.get(null), session: await chrome.storage.session.get(null) }));
  /**
   * How many warnings the page shows once the content script has warned about `control`, a real key
   * placed after the case under test (later in the page, or pasted after it). The page is read in
   * document order and pastes are handled in order, so once the control's warning is up, whatever
   * came before it has been checked: a "no warning" test counts then instead of after a sleep.
   */
  const warningsOnceWarnedAbout = async (control: string) => {
    await page.locator(alertOf(control)).waitFor();
    return page.locator('[data-tradetally-alert]').count();
  };

  beforeAll(async () => {
    [pages, api] = await Promise.all([startPages(), startApi()]);
    browser = await launchWithExtension();
    ({ context, worker } = browser);
    pages.set('/form', FORM);
    pages.set('/frame', '<!doctype html><input id="fin">');
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

  it('warns when a live key is pasted into a text area, an input, a contenteditable element and a field in an iframe', async () => {
    await page.goto(`${pages.url}/form`);
    for (const selector of ['#ta', '#in', '#ce']) {
      const key = generateApiKey('live');
      expect(await paste(page, selector, `here: ${key}`)).toBe(true); // warned, not blocked
      await page.locator(alertOf(key)).waitFor();
      expect(await (await warningFor(page, labelOf(key))).text()).toContain('pasted into this page');
    }
    const inFrame = generateApiKey('test');
    const frame = page.frames().find((f) => f.url().endsWith('/frame'));
    expect(frame).toBeDefined();
    await paste(frame as never, '#fin', inFrame);
    await (frame as NonNullable<typeof frame>).locator(alertOf(inFrame)).waitFor();
  });

  it('warns about a typed key, a key split across spans and a key added by script after load', async () => {
    const typed = generateApiKey('live');
    await page.goto(`${pages.url}/form`);
    await page.locator('#in').pressSequentially(typed, { delay: 2 });
    await page.locator(alertOf(typed)).waitFor();

    const split = generateApiKey('live');
    pages.set(
      '/split',
      `<!doctype html><pre><code><span class="k">${split.slice(0, 8)}</span><span class="s">${split.slice(8, 30)}</span><span>${split.slice(30)}</span></code></pre>`,
    );
    await page.goto(`${pages.url}/split`);
    await page.locator(alertOf(split)).waitFor();

    const later = generateApiKey('live');
    pages.set(
      '/later',
      `<!doctype html><div id="chat"></div><script>setTimeout(() => { const p = document.createElement('p'); p.textContent = 'my key is ' + ${JSON.stringify(later)}; document.getElementById('chat').append(p); }, 400);</script>`,
    );
    await page.goto(`${pages.url}/later`);
    await page.locator(alertOf(later)).waitFor();
  });

  it('never warns about look-alikes with a wrong checksum', async () => {
    const key = generateApiKey('live');
    const lookalike = `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;
    const control = generateApiKey('live');
    pages.set('/lookalike', `<!doctype html><p>${lookalike}</p><p>tt_live_short</p><p>${control}</p>`);
    await page.goto(`${pages.url}/lookalike`);
    expect(await warningsOnceWarnedAbout(control)).toBe(1);
    pages.set('/form2', FORM);
    await page.goto(`${pages.url}/form2`);
    const pastedControl = generateApiKey('live');
    await paste(page, '#ta', lookalike);
    await paste(page, '#in', pastedControl);
    expect(await warningsOnceWarnedAbout(pastedControl)).toBe(1);
  });

  it('stops warning on a site the user ignored from the popup, which lists the keys of its page', async () => {
    await page.goto(`${pages.url}/form`);
    const first = generateApiKey('live');
    await paste(page, '#ta', first);
    await page.locator(alertOf(first)).waitFor();
    const tabId = await tabIdOf(worker, page);
    await expect.poll(() => badgeOf(worker, tabId)).toBe('1');
    const popup = await popupFor(context, tabId);
    await expect.poll(() => popup.locator('#this-page').innerText()).toContain(labelOf(first));
    await popup.getByRole('button', { name: 'Ignore on 127.0.0.1' }).click();
    await expect.poll(async () => JSON.parse(await storage()).local.settings.ignoredSites).toEqual(['127.0.0.1']);
    await popup.getByText('Ignored on 127.0.0.1').waitFor();
    await popup.close();
    // The page's warnings go at once.
    await expect.poll(() => page.locator('[data-tradetally-alert]').count()).toBe(0);
    await page.reload();
    const ignoredKey = generateApiKey('live');
    await paste(page, '#ta', ignoredKey);
    // The control: with the site no longer ignored, a paste warns again. Until the change reaches
    // the content script a paste is still ignored, so paste the control until it warns; the first
    // paste was handled before it.
    await settings();
    const control = generateApiKey('live');
    await expect
      .poll(async () => {
        await paste(page, '#in', control);
        return page.locator(alertOf(control)).count();
      })
      .toBe(1);
    expect(await page.locator(alertOf(ignoredKey)).count()).toBe(0);
  });

  it('blocks the paste of a live key when asked to, before the page sees it, and says why', async () => {
    await settings({ blockLivePastes: true });
    await page.goto(`${pages.url}/form`);
    await page.waitForTimeout(200);
    const key = generateApiKey('live');
    expect(await paste(page, '#ta', key)).toBe(false); // cancelled
    expect(await page.evaluate(() => (window as unknown as { pagePastes: number }).pagePastes)).toBe(0);
    await page.locator(alertOf(key)).waitFor();
    expect(await (await warningFor(page, labelOf(key))).text()).toContain('The paste was stopped');
    // Test keys are not blocked.
    const test = generateApiKey('test');
    expect(await paste(page, '#ta', test)).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { pagePastes: number }).pagePastes)).toBe(1);
  });

  it('revokes a key on the running API with one click, and keeps no raw key in storage', async () => {
    const email = `ext-${Date.now()}@example.com`;
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      }).then((r) => r.json());
    await post('/v1/auth/register', { email, password: 'a long enough password' });
    const { token } = (await post('/v1/auth/login', { email, password: 'a long enough password' })) as { token: string };
    const { secret } = (await post('/v1/api-keys', { name: 'pasted by mistake', scope: 'read' }, token)) as CreateApiKeyResponse;
    const trades = () => fetch(`${api.url}/v1/trades`, { headers: { authorization: `Bearer ${secret}` } }).then((r) => r.status);
    expect(await trades()).toBe(200);

    await page.goto(`${pages.url}/form`);
    await paste(page, '#ta', secret);
    await page.locator(alertOf(secret)).waitFor();
    const warning = await warningFor(page, labelOf(secret));
    await warning.click('Revoke this key now');
    await expect.poll(() => warning.text()).toContain('Reported');
    expect(await trades()).toBe(401);

    const stored = await storage();
    expect(stored).toContain(secret.slice(0, 12)); // the detection is recorded…
    expect(stored.includes(secret.slice(8, 40))).toBe(false); // …without the key
    expect(JSON.parse(stored).local.detections.some((d: { action: string }) => d.action === 'revoked')).toBe(true);
  });

  it("signs in from the options page, and the popup lists the user's keys that expire soon and the detections", async () => {
    const email = `popup-${Date.now()}@example.com`;
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      }).then((r) => r.json());
    await post('/v1/auth/register', { email, password: 'a long enough password' });
    const { token } = (await post('/v1/auth/login', { email, password: 'a long enough password' })) as { token: string };
    await post('/v1/api-keys', { name: 'Expires Friday', scope: 'read', expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString() }, token);
    await post('/v1/api-keys', { name: 'Next year', scope: 'read', expiresAt: new Date(Date.now() + 300 * 86_400_000).toISOString() }, token);

    const extensionId = new URL(worker.url()).host;
    const options = await context.newPage();
    await options.goto(`chrome-extension://${extensionId}/src/options/index.html`);
    await options.getByLabel('E-mail').fill(email);
    await options.getByLabel('Password').fill('a long enough password');
    await options.getByRole('button', { name: 'Sign in' }).click();
    await options.getByText(`Signed in as ${email}`, { exact: false }).first().waitFor();
    await options.getByLabel('Block pastes of live keys', { exact: false }).check();
    await expect.poll(async () => JSON.parse(await storage()).local.settings.blockLivePastes).toBe(true);

    await page.goto(`${pages.url}/form`);
    const seen = generateApiKey('test');
    await paste(page, '#ta', seen);
    await page.locator(alertOf(seen)).waitFor();
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${extensionId}/src/popup/index.html`);
    await popup.locator('#expiring').getByText('Expires Friday').waitFor();
    expect(await popup.locator('#expiring').innerText()).not.toContain('Next year');
    await expect.poll(() => popup.locator('#detections').innerText()).toContain(`${seen.slice(0, 12)}…${seen.slice(-4)}`);
    expect(await popup.locator('#settings').getAttribute('href')).toBe(`${api.url}/`);
    await Promise.all([options.close(), popup.close()]);
  });
  it("names the signed-in user's own key in the popup and its notification, and only theirs", async () => {
    const email = `own-${Date.now()}@example.com`;
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      }).then((r) => r.json());
    await post('/v1/auth/register', { email, password: 'a long enough password' });
    const { token } = (await post('/v1/auth/login', { email, password: 'a long enough password' })) as { token: string };
    const { secret } = (await post('/v1/api-keys', { name: 'Broker import', scope: 'read_write' }, token)) as CreateApiKeyResponse;

    const options = await context.newPage();
    await options.goto(`chrome-extension://${new URL(worker.url()).host}/src/options/index.html`);
    await options.getByLabel('E-mail').fill(email);
    await options.getByLabel('Password').fill('a long enough password');
    await options.getByRole('button', { name: 'Sign in' }).click();
    await options.getByText(`Signed in as ${email}`, { exact: false }).first().waitFor();
    await options.close();

    const shown = await observeNotifications(worker);
    await page.goto(`${pages.url}/form`);
    const stranger = generateApiKey('live');
    await paste(page, '#ta', secret);
    await paste(page, '#in', stranger);
    await page.locator(alertOf(secret)).waitFor();
    await page.locator(alertOf(stranger)).waitFor();
    const popup = await popupFor(context, await tabIdOf(worker, page));
    const line = (key: string) => popup.locator('#this-page li', { hasText: labelOf(key) });
    await expect.poll(async () => (await popup.reload(), line(secret).innerText())).toContain('Your key "Broker import" — read & write — never used');
    expect(await line(stranger).innerText()).not.toContain('Your key');
    // The notification of the user's own key names it (once the lookup answered); the stranger's does not.
    const titleOf = async (key: string) => (await shown()).find((n) => n.message.startsWith(labelOf(key)))?.title;
    await expect.poll(() => titleOf(secret)).toBe('Your live key "Broker import" is exposed');
    expect(await titleOf(stranger)).toBe('Live TradeTally key exposed');
    await popup.close();
  });
});
