import { randomBytes } from 'node:crypto';
import { isValidApiKey } from '@tradetally/contracts';
import { hashOpaqueToken, openDb } from '@tradetally/database';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, startProduct } from './testing/browser.js';

/** Everything a page keeps where a secret could linger: storage and the whole DOM, input values included. */
async function pageText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const inputs = [...document.querySelectorAll('input, textarea')].map((el) => (el as HTMLInputElement).value);
    return [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }), document.documentElement.outerHTML, ...inputs, location.href].join('\n');
  });
}

describe('the API Key settings page in Chromium', () => {
  let product: Awaited<ReturnType<typeof startProduct>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    product = await startProduct();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: product.url });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await product?.stop();
  });

  const trades = (key: string) => fetch(`${product.url}/v1/trades`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
  const row = (name: string) => page.locator('table[data-testid="keys"] tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) });

  /** Reads the one-time secret, copies it, confirms it was saved and closes the dialog. */
  async function takeSecret(): Promise<string> {
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

  it('signs up, creates a read-only key, copies it once, uses it, rotates it, revokes it, and never keeps the secret', async () => {
    await page.goto(product.url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('E-mail').fill('trader@example.com');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Your keys', exact: true }).waitFor();

    // Create: read-only is preselected.
    await page.getByRole('button', { name: 'Create key' }).click();
    const create = page.getByTestId('create-dialog');
    await create.getByLabel('Name').fill('Broker import');
    expect(await create.getByLabel('Read only', { exact: false }).isChecked()).toBe(true);
    await create.getByLabel('Expires').selectOption('never');
    await create.getByRole('note').waitFor(); // "never" warns
    await create.getByLabel('Expires').selectOption('30');
    await create.getByRole('button', { name: 'Create key' }).click();
    const first = await takeSecret();
    expect(isValidApiKey(first)).toBe(true);
    expect(first.startsWith('tt_live_')).toBe(true);
    expect(await pageText(page)).not.toContain(first);

    // Use it, like curl would.
    expect(await trades(first)).toBe(200);
    await page.reload();
    await row('Broker import').waitFor();
    expect(await row('Broker import').getAttribute('data-status')).toBe('active');
    expect(await row('Broker import').innerText()).toContain(`${first.slice(0, 12)}…${first.slice(-4)}`);
    expect(await pageText(page)).not.toContain(first);

    // Rotate with a one-hour grace period: the new secret, and when the old key ends.
    await row('Broker import').getByRole('button', { name: 'Rotate Broker import' }).click();
    const rotate = page.getByTestId('rotate-dialog');
    await rotate.getByLabel('1 hour').check();
    await rotate.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByTestId('secret-dialog').getByText('keeps working until', { exact: false }).waitFor();
    const second = await takeSecret();
    expect(second).not.toBe(first);
    expect(await trades(first)).toBe(200); // still within its grace period
    expect(await trades(second)).toBe(200);
    const rows = page.locator('table[data-testid="keys"] tbody tr');
    await page.waitForFunction(() => document.querySelectorAll('table[data-testid="keys"] tbody tr').length === 2);
    const texts = await rows.allInnerTexts();
    expect(texts.some((t) => t.includes(first.slice(-4)) && t.includes('rotating'))).toBe(true);
    expect(texts.some((t) => t.includes(second.slice(-4)) && t.includes('active'))).toBe(true);

    // Revoke the new key, with confirmation.
    await page.locator(`tr:has-text("${second.slice(-4)}")`).getByRole('button', { name: 'Revoke Broker import' }).click();
    await page.getByTestId('revoke-dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByTestId('revoke-dialog').waitFor({ state: 'detached' });
    expect(await trades(second)).toBe(401);
    await page.getByRole('button', { name: 'All' }).click();
    await page.locator(`tr[data-status="revoked"]:has-text("${second.slice(-4)}")`).waitFor();
    expect(await page.locator(`tr[data-status="revoked"]:has-text("${second.slice(-4)}")`).innerText()).toContain('revoked (user)');

    // The history of the old key tells its story.
    await page.locator(`tr:has-text("${first.slice(-4)}")`).getByRole('button', { name: 'History of Broker import' }).click();
    const history = page.getByTestId('history-dialog');
    await history.getByText('rotated', { exact: false }).first().waitFor();
    await history.getByRole('button', { name: 'Close' }).click();

    const everything = await pageText(page);
    expect(everything).not.toContain(first);
    expect(everything).not.toContain(second);
  });

  it('shows the API’s problem details as clear errors', async () => {
    const fresh = await context.newPage();
    await fresh.goto(product.url);
    await fresh.getByLabel('E-mail').fill('nobody@example.com');
    await fresh.getByLabel('Password').fill('not the password');
    await fresh.getByRole('button', { name: 'Sign in' }).click();
    const alert = fresh.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('The e-mail or the password is wrong.');
    await fresh.close();
  });

  it('tells an unconfirmed user, sends the link again, and confirms the address from the link', async () => {
    const fresh = await context.newPage();
    await fresh.goto(product.url);
    await fresh.getByRole('button', { name: 'Create an account' }).click();
    await fresh.getByLabel('E-mail').fill('unconfirmed@example.com');
    await fresh.getByLabel('Password').fill('a long enough password');
    await fresh.getByRole('button', { name: 'Create account' }).click();
    const banner = fresh.getByTestId('email-banner');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('Confirm your e-mail address');
    await banner.getByRole('button', { name: 'Send again' }).click();
    await banner.getByText('Sent again', { exact: false }).waitFor();

    // The worker would e-mail the link; plant a token the way it stores one (only the hash).
    const token = randomBytes(32).toString('base64url');
    const db = await openDb(product.databaseUrl, { migrate: false });
    await db.query('UPDATE users SET email_token_hash = $1, email_token_expires_at = $2 WHERE email = $3', [hashOpaqueToken(token), new Date(Date.now() + 3_600_000), 'unconfirmed@example.com']);
    await db.close();
    await fresh.goto(`${product.url}/verify-email?token=${token}`);
    const confirmed = fresh.getByTestId('verify-email');
    await confirmed.getByText('is confirmed', { exact: false }).waitFor();
    expect(fresh.url()).not.toContain(token);
    await confirmed.getByRole('button', { name: 'Go to your API keys' }).click();
    await fresh.getByRole('heading', { name: 'Your keys', exact: true }).waitFor();
    expect(await fresh.getByTestId('email-banner').count()).toBe(0);

    await fresh.goto(`${product.url}/verify-email?token=${token}`);
    await fresh.getByTestId('verify-email').getByText('already used or expired', { exact: false }).waitFor();
    await fresh.close();
  });
});
