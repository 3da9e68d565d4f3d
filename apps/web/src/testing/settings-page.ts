import { randomUUID } from 'node:crypto';
import { TradeTallyClient } from '@tradetally/client';
import { displayApiKey, parseApiKey } from '@tradetally/contracts';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { SESSION_STORAGE_KEY } from '../api/client.js';
import { launchChromium } from './browser.js';

/** The built API and worker every browser suite shares (`product.global.ts`). */
export const product = { url: inject('productUrl'), databaseUrl: inject('productDatabaseUrl') };

/** An e-mail address no other test uses. */
export const newEmail = (what: string) => `${what}-${randomUUID().slice(0, 8)}@example.com`;

/** The password of every test account. */
export const PASSWORD = 'a long enough password';

/** Calls `/v1/trades` with a key as an integration would (curl, a script); resolves to the status. */
export function useKey(key: string, init: { method?: 'GET' | 'POST'; userAgent?: string } = {}): Promise<number> {
  const post = init.method === 'POST';
  return fetch(`${product.url}/v1/trades`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${key}`, 'user-agent': init.userAgent ?? 'web-test', ...(post ? { 'content-type': 'application/json' } : {}) },
    body: post ? '{}' : undefined,
  }).then((r) => r.status);
}

/** The display form (`prefix…last4`) of a whole key, as the page shows it. */
export function displayOf(secret: string): string {
  const parts = parseApiKey(secret);
  if (!parts) throw new Error('not a TradeTally key');
  return displayApiKey(parts);
}

/** Everything a page keeps where a secret could linger: storage and the whole DOM, input values included. */
export function storedText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const inputs = [...document.querySelectorAll('input, textarea')].map((el) => (el as HTMLInputElement).value);
    return [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }), document.documentElement.outerHTML, ...inputs, location.href].join(
      '\n',
    );
  });
}

/** The row of the key list whose name is exactly `name`. */
export const keyRow = (page: Page, name: string): Locator =>
  page.locator('table[data-testid="keys"] tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) });

/**
 * Waits for the keys page to show what the API has: the keys, the review and the notifications
 * arrive in one load, and the list says "Loading…" until it is in (quicker than waiting for the
 * network to be idle, which costs half a second each time).
 */
export async function keysPageReady(page: Page): Promise<void> {
  await page.getByRole('heading', { name: 'Your keys', exact: true }).waitFor();
  await page.waitForFunction(() => {
    const list = document.querySelector('table[data-testid="keys"] tbody');
    return list !== null && !list.textContent?.includes('Loading…');
  });
}

/** One trader of a test: their signed-in page, and the API as them (to set up what the test is not about). */
export interface Trader {
  email: string;
  page: Page;
  api: TradeTallyClient;
  row(name: string): Locator;
  /** Reloads the page and waits for its data. */
  reload(): Promise<void>;
  /** Reloads until `check` holds: some of what the page shows (use, alerts) arrives a little later. */
  reloadUntil(check: () => Promise<boolean>, seconds?: number): Promise<void>;
  /** Reads the one-time secret, copies it, confirms it was saved and closes the dialog; checks each step. */
  takeSecret(): Promise<string>;
}

/**
 * Registers a browser suite: one Chromium and one browser context for the file, a fresh page for
 * each trader, every page closed after its test. Call at the top of a spec file.
 */
export function settingsPageSuite(): { signUp(what: string): Promise<Trader>; newPage(): Promise<Page> } {
  let browser: Browser;
  let context: BrowserContext;
  const pages: Page[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: product.url });
  });
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });

  const newPage = async () => {
    const page = await context.newPage();
    pages.push(page);
    return page;
  };

  /** A new account, made through the API, signed in on a page of its own that shows "Your keys". */
  const signUp = async (what: string): Promise<Trader> => {
    const email = newEmail(what);
    const api = new TradeTallyClient({ baseUrl: product.url });
    await api.auth.register({ email, password: PASSWORD });
    const { token } = await api.auth.login({ email, password: PASSWORD });
    const page = await newPage();
    await page.goto(product.url);
    await page.evaluate(([key, value]) => sessionStorage.setItem(key, value), [SESSION_STORAGE_KEY, token] as const);
    await page.reload();
    await keysPageReady(page);
    const reload = async () => {
      await page.reload();
      await keysPageReady(page);
    };
    return {
      email,
      page,
      api,
      row: (name) => keyRow(page, name),
      reload,
      async reloadUntil(check, seconds = 30) {
        const until = Date.now() + seconds * 1000;
        for (;;) {
          await reload();
          if (await check()) return;
          if (Date.now() > until) throw new Error('the page never showed it');
          await new Promise((r) => setTimeout(r, 500));
        }
      },
      takeSecret: () => takeSecret(page),
    };
  };

  return { signUp, newPage };
}

async function takeSecret(page: Page): Promise<string> {
  const dialog = page.getByTestId('secret-dialog');
  await dialog.waitFor();
  await expect(dialog.getByText('You will not see it again', { exact: false }).isVisible()).resolves.toBe(true);
  const shown = await dialog.getByLabel('Your new API key').inputValue();
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await dialog.getByRole('button', { name: 'Copied' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(shown);
  expect(await dialog.getByRole('button', { name: 'Done' }).isDisabled()).toBe(true);
  await page.keyboard.press('Escape'); // refused until the trader confirms
  expect(await dialog.isVisible()).toBe(true);
  await dialog.getByLabel('I have stored this key somewhere safe').check();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.waitFor({ state: 'detached' });
  return copied;
}
