import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CreateApiKeyResponse, EXTENSION_ID, type ManagedPolicy } from '@tradetally/contracts';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, observeNotifications, paste, popupFor, startApi, startPages, tabIdOf, warningFor } from './testing/harness.js';

// An organisation's policy, as Chromium on Linux reads it: a JSON file in the managed policy folder
// whose `3rdparty.extensions.<id>` reaches chrome.storage.managed. Every value it sets must win over
// the user's own choice. The file has a name of its own and is removed afterwards.

const POLICY_DIR = '/etc/chromium/policies/managed';
const labelOf = (key: string) => `${key.slice(0, 12)}…${key.slice(-4)}`;
const alertOf = (key: string) => `[data-tradetally-alert="${labelOf(key)}"]`;

describe('a managed policy', () => {
  const policyFile = join(POLICY_DIR, `tradetally-extension-test-${randomUUID()}.json`);
  let pages: Awaited<ReturnType<typeof startPages>>;
  let api: Awaited<ReturnType<typeof startApi>>;
  let browser: Awaited<ReturnType<typeof launchWithExtension>>;
  let context: BrowserContext;
  let worker: Worker;

  /** A live key the API knows, and a check of what the API says to it. */
  const liveKey = async () => {
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const email = `policy-${randomUUID()}@example.com`;
    await post('/v1/auth/register', { email, password: 'a long enough password' });
    const { token } = (await (await post('/v1/auth/login', { email, password: 'a long enough password' })).json()) as { token: string };
    return ((await (await post('/v1/api-keys', { name: 'policy', scope: 'read' }, token)).json()) as CreateApiKeyResponse).secret;
  };
  const useKey = async (key: string) => (await fetch(`${api.url}/v1/trades?limit=1`, { headers: { authorization: `Bearer ${key}` } })).status;

  beforeAll(async () => {
    [pages, api] = await Promise.all([startPages(), startApi()]);
    const policy: ManagedPolicy = { apiUrl: api.url, blockLivePastesOn: ['127.0.0.1'], allowIgnore: false, autoRevoke: true };
    mkdirSync(POLICY_DIR, { recursive: true });
    writeFileSync(policyFile, JSON.stringify({ '3rdparty': { extensions: { [EXTENSION_ID]: policy } } }));
    browser = await launchWithExtension();
    ({ context, worker } = browser);
    // The user chose otherwise on every point: another API address, no blocking, no automatic
    // revoke, and this very site ignored.
    await worker.evaluate((settings) => chrome.storage.local.set({ settings }), {
      apiUrl: 'http://127.0.0.1:9/',
      blockLivePastes: false,
      autoRevokePageKeys: false,
      ignoredSites: ['127.0.0.1'],
    });
  });

  afterAll(async () => {
    rmSync(policyFile, { force: true });
    await browser?.close();
    await Promise.all([pages?.close(), api?.stop()]);
  });

  it('reaches the extension through managed storage', async () => {
    expect(await worker.evaluate(() => chrome.storage.managed.get(null))).toMatchObject({ apiUrl: api.url, allowIgnore: false, autoRevoke: true });
  });

  it('wins over the user: paste blocked and warned on an ignored site, reported to the policy’s API, with no ignore control anywhere', async () => {
    const shown = await observeNotifications(worker);
    const page: Page = await context.newPage();
    pages.set('/form', '<!doctype html><textarea id="ta"></textarea>');
    await page.goto(`${pages.url}/form`);
    const key = await liveKey();
    expect(await paste(page, '#ta', key)).toBe(false); // the paste was stopped
    await page.locator(alertOf(key)).waitFor();
    const warning = await warningFor(page, labelOf(key));
    expect(await warning.text()).toContain('The paste was stopped');
    // The notification offers no "Ignore on…" button, and the popup no ignore control.
    await expect.poll(async () => (await shown()).find((n) => n.message.startsWith(labelOf(key)))?.buttons).toEqual([]);
    const popup = await popupFor(context, await tabIdOf(worker, page));
    await popup.locator('#this-page li').first().waitFor();
    expect(await popup.getByRole('button', { name: /^Ignore/ }).count()).toBe(0);
    // An ignore request from the extension's own page is refused too.
    expect(await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'ignore-site', site: 'elsewhere.example' }))).toMatchObject({ ok: false });
    await popup.close();
    // "Revoke this key now" reports to the policy's API address, not the user's.
    await warning.click('Revoke this key now');
    await expect.poll(() => warning.text()).toContain('Reported');
    expect(await useKey(key)).toBe(401);
    await page.close();
  });

  it('revokes live keys in page content automatically when the policy says so', async () => {
    const key = await liveKey();
    const page = await context.newPage();
    pages.set('/shown', `<!doctype html><pre>${key}</pre>`);
    await page.goto(`${pages.url}/shown`);
    await expect.poll(() => useKey(key), { timeout: 10_000 }).toBe(401);
    await page.close();
  });

  it('shows each managed value in the options page as set by the organisation, and lets no one change it there', async () => {
    const options = await context.newPage();
    await options.goto(`chrome-extension://${EXTENSION_ID}/src/options/index.html`);
    const address = options.getByLabel('API address', { exact: false });
    expect(await address.inputValue()).toBe(api.url);
    expect(await address.isDisabled()).toBe(true);
    expect(await options.getByRole('button', { name: 'Save address' }).count()).toBe(0);
    expect(await options.getByLabel('Revoke live keys found in page content automatically', { exact: false }).isChecked()).toBe(true);
    expect(await options.getByLabel('Revoke live keys found in page content automatically', { exact: false }).isDisabled()).toBe(true);
    expect(await options.locator('#blocked-on').innerText()).toContain('127.0.0.1');
    await options.locator('#ignore-off').waitFor();
    expect(await options.getByRole('button', { name: /ignor/i }).count()).toBe(0);
    expect(await options.getByText('Set by your organisation').count()).toBe(4);
    await options.close();
  });
});
