import { type CreateApiKeyResponse, type Detection, EXTENSION_ID, type ExtensionSettings, generateApiKey } from '@tradetally/contracts';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inContentScript, launchWithExtension, paste, startApi, startPages, warningFor } from './testing/harness.js';

// security.md, "The extension against the page it runs in", in real Chromium: every page here is
// hostile, and every rule would fail its test without its fix.

const labelOf = (key: string) => `${key.slice(0, 12)}…${key.slice(-4)}`;
const alertOf = (key: string) => `[data-tradetally-alert="${labelOf(key)}"]`;
const PASSWORD = 'a long enough password';

/**
 * A page that attacks every warning it sees: probes its shadow root, clicks and key-presses
 * whatever it can reach (the host, the element under the warning's buttons, everything in the
 * document), and writes what it learned to window.probes.
 */
const HOSTILE = `<!doctype html><title>hostile</title><textarea id="ta"></textarea>
<script>
  window.probes = [];
  const attack = (host) => {
    const probe = { shadowRoot: host.shadowRoot === null ? null : 'reachable', text: host.textContent + host.innerText, clicked: 0 };
    const fire = (el) => {
      el.click();
      for (const type of ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click']) el.dispatchEvent(new MouseEvent(type, { bubbles: true, composed: true, cancelable: true }));
      for (const key of ['Enter', ' ']) {
        el.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true }));
        el.dispatchEvent(new KeyboardEvent('keyup', { key, bubbles: true, composed: true }));
      }
      probe.clicked++;
    };
    fire(host);
    host.focus();
    fire(document.activeElement);
    const box = host.getBoundingClientRect();
    for (let x = box.left + 4; x < box.right; x += 12) for (let y = box.top + 4; y < box.bottom; y += 8) {
      const el = document.elementFromPoint(x, y);
      if (el && el !== document.getElementById('ta')) fire(el);
    }
    for (const el of host.querySelectorAll('*')) fire(el);
    window.probes.push(probe);
  };
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1 && n.hasAttribute('data-tradetally-alert')) setTimeout(() => attack(n), 150);
  }).observe(document.documentElement, { childList: true, subtree: true });
</script>`;

describe('the extension against a hostile page', () => {
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
  const stored = () =>
    worker.evaluate(async () => ({
      local: await chrome.storage.local.get(null),
      sync: await chrome.storage.sync.get(null),
      session: await chrome.storage.session.get(null),
    })) as Promise<{
      local: { settings: ExtensionSettings; detections: Detection[] };
      sync: Record<string, unknown>;
      session: { session?: { token: string } };
    }>;
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  /** A new account, its web session, and a live key of it the API knows. */
  const account = async () => {
    const email = `trust-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    await post('/v1/auth/register', { email, password: PASSWORD });
    const { token } = (await (await post('/v1/auth/login', { email, password: PASSWORD })).json()) as { token: string };
    const newKey = async () =>
      ((await (await post('/v1/api-keys', { name: 'pasted by mistake', scope: 'read' }, token)).json()) as CreateApiKeyResponse).secret;
    return { email, token, newKey };
  };
  /** What the API says to the next call with `key`: 200, or 401 with its code. */
  const useKey = async (key: string) => {
    const response = await fetch(`${api.url}/v1/trades?limit=1`, { headers: { authorization: `Bearer ${key}` } });
    return response.ok ? 'ok' : `${response.status} ${((await response.json()) as { code?: string }).code}`;
  };
  const extensionPage = async (path: string) => {
    const opened = await context.newPage();
    await opened.goto(`chrome-extension://${EXTENSION_ID}/src/${path}/index.html`);
    return opened;
  };
  const signInFromOptions = async (email: string) => {
    const options = await extensionPage('options');
    await options.getByLabel('E-mail').fill(email);
    await options.getByLabel('Password').fill(PASSWORD);
    await options.getByRole('button', { name: 'Sign in' }).click();
    await options.getByText(`Signed in as ${email}`, { exact: false }).first().waitFor();
    await options.close();
    return (await stored()).session.session?.token ?? '';
  };

  beforeAll(async () => {
    [pages, api] = await Promise.all([startPages(), startApi()]);
    browser = await launchWithExtension();
    ({ context, worker } = browser);
    pages.set('/hostile', HOSTILE);
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

  it('runs with the pinned id', () => {
    expect(new URL(worker.url()).host).toBe(EXTENSION_ID);
  });

  it('keeps the warning out of the page’s reach: closed shadow root, synthetic clicks do nothing, real input still works', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: pages.url });
    await page.goto(`${pages.url}/hostile`);
    // A paste the page dispatched itself is still warned about: detection is not limited to trusted input.
    const bait = generateApiKey('live');
    await paste(page, '#ta', bait);
    await page.locator(alertOf(bait)).waitFor();
    await page.waitForFunction(() => (window as unknown as { probes: unknown[] }).probes.length === 1);

    const [probe] = await page.evaluate(() => (window as unknown as { probes: Array<{ shadowRoot: unknown; text: string; clicked: number }> }).probes);
    expect(probe?.shadowRoot).toBeNull();
    expect(probe?.text).not.toContain('Revoke');
    expect(probe?.clicked).toBeGreaterThan(3);
    await page.waitForTimeout(300);
    // Nothing happened: the warning is still up and says nothing new, the site is not ignored,
    // no action was recorded.
    expect(await page.locator(alertOf(bait)).count()).toBe(1);
    const warning = await warningFor(page, labelOf(bait));
    expect(await warning.text()).not.toMatch(/Reporting|Reported|Could not/);
    const after = await stored();
    expect(after.local.settings.ignoredSites).toEqual([]);
    expect(after.local.detections.filter((d) => d.action !== 'warned')).toEqual([]);

    // Even a synthetic click that does reach the buttons (here from the content script's own world,
    // the only one that can) does nothing: the actions wait for a person's input.
    const reached = await inContentScript<number>(
      page,
      `(() => { let n = 0; for (const host of document.querySelectorAll('[data-tradetally-alert]')) for (const button of chrome.dom.openOrClosedShadowRoot(host).querySelectorAll('button')) { button.click(); n++; } return n; })()`,
    );
    expect(reached).toBe(2);
    await page.waitForTimeout(300);
    expect(await page.locator(alertOf(bait)).count()).toBe(1);
    expect(await warning.text()).not.toMatch(/Reporting|Reported|Could not/);
    expect((await stored()).local.settings.ignoredSites).toEqual([]);

    // A real paste, by keyboard, still warns.
    const real = generateApiKey('live');
    await page.evaluate((text) => navigator.clipboard.writeText(text), real);
    await page.click('#ta');
    await page.keyboard.press('Control+V');
    await page.locator(alertOf(real)).waitFor();
    expect(await page.locator('#ta').inputValue()).toContain(real);

    // And a real click on its "Dismiss" dismisses it.
    await (await warningFor(page, labelOf(real))).click('Dismiss');
    await expect.poll(() => page.locator(alertOf(real)).count()).toBe(0);
    expect((await stored()).local.settings.ignoredSites).toEqual([]);
  });

  it('reads text the page wraps in its own <tradetally-alert>, at load and when added later', async () => {
    const atLoad = generateApiKey('live');
    const later = generateApiKey('test');
    pages.set(
      '/wrapper',
      `<!doctype html><div><tradetally-alert>my key: ${atLoad}</tradetally-alert></div><div id="chat"></div>
       <script>setTimeout(() => { const w = document.createElement('tradetally-alert'); w.textContent = ${JSON.stringify(later)}; document.getElementById('chat').append(w); }, 400);</script>`,
    );
    await page.goto(`${pages.url}/wrapper`);
    await page.locator(alertOf(atLoad)).waitFor();
    await page.locator(alertOf(later)).waitFor();
  });

  it('refuses privileged messages from a content script, and a page cannot message the worker at all', async () => {
    await page.goto(`${pages.url}/hostile`);
    await page.waitForFunction(() => document.readyState === 'complete');
    // In the content script's own isolated world, as a compromised content script would send them.
    const outcome = await inContentScript<{ answers: Record<string, { ok?: boolean; error?: string }>; session: string }>(
      page,
      `(async () => {
        const answers = {};
        for (const message of [
          { type: 'update-settings', settings: { apiUrl: 'https://evil.example' } },
          { type: 'get-popup-state' }, { type: 'get-settings' }, { type: 'sign-out' }, { type: 'clear-history' },
          { type: 'ignore-site', site: 'bank.example' }, { type: 'sign-in', email: 'a@example.com', password: 'x' },
        ]) answers[message.type] = await chrome.runtime.sendMessage(message);
        // Silencing the extension is not a content script's message at all (it was once, for its own site).
        answers['ignore-this-site'] = await chrome.runtime.sendMessage({ type: 'ignore-this-site' }).then((a) => a ?? 'no answer', (e) => 'refused: ' + e.message);
        let session;
        try { await chrome.storage.session.get(null); session = 'readable'; } catch { session = 'refused'; }
        return { answers, session };
      })()`,
    );
    for (const type of ['update-settings', 'get-popup-state', 'get-settings', 'sign-out', 'clear-history', 'ignore-site', 'sign-in']) {
      expect(outcome.answers[type], type).toEqual({ ok: false, error: expect.stringContaining('only from the extension') });
    }
    expect(outcome.answers['ignore-this-site']).not.toEqual({ ok: true });
    expect(outcome.session).toBe('refused');
    const after = await stored();
    expect(after.local.settings.apiUrl).toBe(api.url);
    expect(after.local.settings.ignoredSites).toEqual([]);

    // The page's own scripts have no channel to the extension.
    const fromPage = await page.evaluate(async (id) => {
      const runtime = (globalThis as unknown as { chrome?: { runtime?: { sendMessage?: (id: string, m: unknown) => Promise<unknown> } } }).chrome?.runtime;
      if (!runtime?.sendMessage) return 'no runtime';
      return runtime.sendMessage(id, { type: 'get-popup-state' }).then(
        (answer) => JSON.stringify(answer),
        (error: Error) => `refused: ${error.message}`,
      );
    }, EXTENSION_ID);
    expect(fromPage).toMatch(/^(no runtime|refused)/);
  });

  it('keeps the session only in chrome.storage.session, and shows signed out once the API ends it', async () => {
    const { email } = await account();
    const token = await signInFromOptions(email);
    const after = await stored();
    expect(after.session.session).toEqual({ token, email, origin: api.url });
    for (const area of [after.local, after.sync]) {
      expect(JSON.stringify(area)).not.toContain(token);
      expect(area).not.toHaveProperty('session');
    }
    const popup = await extensionPage('popup');
    await popup.getByText(`Signed in as ${email}`).waitFor();
    await popup.close();

    // The API ends the session (as it does after seven days); the next request answers 401.
    expect((await post('/v1/auth/logout', {}, token)).status).toBeLessThan(300);
    const signedOut = await extensionPage('popup');
    await signedOut.getByText('Signed out.').waitFor();
    expect(await signedOut.getByRole('link', { name: 'Sign in' }).count()).toBe(1);
    expect((await stored()).session).not.toHaveProperty('session');
    await signedOut.close();
  });

  it('signs out when the API address changes, so the token never reaches the new one', async () => {
    const { email } = await account();
    await signInFromOptions(email);
    const options = await extensionPage('options');
    await options.getByLabel('API address').fill('http://127.0.0.1:9/');
    await options.getByRole('button', { name: 'Save address' }).click();
    await options.getByText('Signed out', { exact: false }).first().waitFor();
    expect((await stored()).session).not.toHaveProperty('session');
    await options.close();
  });

  it('still revokes with a session the API has ended: a real click on "Revoke this key now", and automatically', async () => {
    const owner = await account();
    const clicked = await owner.newKey();
    const token = await signInFromOptions(owner.email);
    expect((await post('/v1/auth/logout', {}, token)).status).toBeLessThan(300);

    pages.set('/form', '<!doctype html><textarea id="ta"></textarea>');
    await page.goto(`${pages.url}/form`);
    await paste(page, '#ta', clicked);
    await page.locator(alertOf(clicked)).waitFor();
    const warning = await warningFor(page, labelOf(clicked));
    await warning.click('Revoke this key now');
    await expect.poll(() => warning.text()).toContain('Reported');
    expect(await useKey(clicked)).toBe('401 api_key_revoked');

    const automatic = await owner.newKey();
    const stale = await signInFromOptions(owner.email);
    expect((await post('/v1/auth/logout', {}, stale)).status).toBeLessThan(300);
    await settings({ autoRevokePageKeys: true });
    pages.set('/shown', `<!doctype html><p>config: ${automatic}</p>`);
    await page.goto(`${pages.url}/shown`);
    await expect.poll(() => useKey(automatic), { timeout: 10_000 }).toBe('401 api_key_revoked');
  });

  it('revokes a key that is in the page when it loads, with "revoke automatically" on', async () => {
    const owner = await account();
    const key = await owner.newKey();
    expect(await useKey(key)).toBe('ok');
    // A long ignore list (other sites) makes the settings slow to read, as they can be: a scan
    // that does not wait for them runs with the defaults (no automatic revoke) and misses the key.
    const others = Array.from({ length: 30_000 }, (_, i) => `site-${i}.example`);
    await settings({ autoRevokePageKeys: true, ignoredSites: others });
    pages.set('/at-load', `<!doctype html><pre>TRADETALLY_KEY=${key}</pre>`);
    await page.goto(`${pages.url}/at-load`);
    await expect.poll(() => useKey(key), { timeout: 10_000 }).toBe('401 api_key_revoked');
  });

  it('reports from a sandboxed (null-origin) frame, without a URL', async () => {
    const owner = await account();
    const key = await owner.newKey();
    await settings({ autoRevokePageKeys: true });
    pages.set('/outer', `<!doctype html><iframe sandbox="allow-scripts" src="/sandboxed-key"></iframe>`);
    pages.set('/sandboxed-key', `<!doctype html><p>${key}</p><script>document.title = String(origin)</script>`);
    await page.goto(`${pages.url}/outer`);
    await expect.poll(() => useKey(key), { timeout: 10_000 }).toBe('401 api_key_revoked');
    // Recorded under the frame's site, though its origin is opaque.
    await expect
      .poll(async () => (await stored()).local.detections.find((d) => d.prefix === key.slice(0, 12) && d.action === 'revoked')?.site)
      .toBe('127.0.0.1');
  });
  it('records what it finds on a plain-http page, whose content scripts have no crypto.subtle', async () => {
    pages.set('/plain', '<!doctype html><textarea id="ta"></textarea>');
    await page.goto(`${pages.url.replace('127.0.0.1', 'plain.test')}/plain`);
    expect(await page.evaluate(() => isSecureContext)).toBe(false);
    const key = generateApiKey('live');
    await paste(page, '#ta', key);
    await page.locator(alertOf(key)).waitFor();
    await expect.poll(async () => (await stored()).local.detections.find((d) => d.prefix === key.slice(0, 12))?.site).toBe('plain.test');
  });

  it('is signed out after a browser restart, and warnings and anonymous revokes keep working', async () => {
    const owner = await account();
    const key = await owner.newKey();
    // A browser of its own, restarted on the same profile.
    const first = await launchWithExtension();
    await first.worker.evaluate(
      (apiUrl) => chrome.storage.local.set({ settings: { apiUrl, blockLivePastes: false, autoRevokePageKeys: false, ignoredSites: [] } }),
      api.url,
    );
    const options = await first.context.newPage();
    await options.goto(`chrome-extension://${EXTENSION_ID}/src/options/index.html`);
    await options.getByLabel('E-mail').fill(owner.email);
    await options.getByLabel('Password').fill(PASSWORD);
    await options.getByRole('button', { name: 'Sign in' }).click();
    await options.getByText(`Signed in as ${owner.email}`, { exact: false }).first().waitFor();
    await first.close({ keepProfile: true });

    const again = await launchWithExtension({ profile: first.profile });
    try {
      expect(await again.worker.evaluate(() => chrome.storage.session.get(null))).toEqual({});
      expect(await again.worker.evaluate(async () => ((await chrome.storage.local.get('settings')).settings as { apiUrl: string }).apiUrl)).toBe(api.url);
      const popup = await again.context.newPage();
      await popup.goto(`chrome-extension://${EXTENSION_ID}/src/popup/index.html`);
      await popup.getByText('Signed out.').waitFor();

      const tab = await again.context.newPage();
      pages.set('/after-restart', '<!doctype html><textarea id="ta"></textarea>');
      await tab.goto(`${pages.url}/after-restart`);
      await paste(tab, '#ta', key);
      await tab.locator(alertOf(key)).waitFor();
      const warning = await warningFor(tab, labelOf(key));
      await warning.click('Revoke this key now');
      await expect.poll(() => warning.text()).toContain('Reported');
      expect(await useKey(key)).toBe('401 api_key_revoked');
    } finally {
      await again.close();
    }
  });
});
