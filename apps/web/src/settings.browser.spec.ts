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
    return [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage }), document.documentElement.outerHTML, ...inputs, location.href].join(
      '\n',
    );
  });
}

describe('the API Key settings page in Chromium', () => {
  let product: Awaited<ReturnType<typeof startProduct>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    product = await startProduct({ worker: true });
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
  async function takeSecret(on: Page = page): Promise<string> {
    const dialog = on.getByTestId('secret-dialog');
    await dialog.waitFor();
    await expect(dialog.getByText('You will not see it again', { exact: false }).isVisible()).resolves.toBe(true);
    const shown = await dialog.getByLabel('Your new API key').inputValue();
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = await on.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(shown);
    expect(await dialog.getByRole('button', { name: 'Done' }).isDisabled()).toBe(true);
    await on.keyboard.press('Escape'); // refused until the trader confirms
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
    await page
      .locator(`tr:has-text("${second.slice(-4)}")`)
      .getByRole('button', { name: 'Revoke Broker import' })
      .click();
    await page.getByTestId('revoke-dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByTestId('revoke-dialog').waitFor({ state: 'detached' });
    expect(await trades(second)).toBe(401);
    await page.getByRole('button', { name: 'All' }).click();
    await page.locator(`tr[data-status="revoked"]:has-text("${second.slice(-4)}")`).waitFor();
    expect(await page.locator(`tr[data-status="revoked"]:has-text("${second.slice(-4)}")`).innerText()).toContain('revoked (user)');

    // The history of the old key tells its story.
    await page
      .locator(`tr:has-text("${first.slice(-4)}")`)
      .getByRole('button', { name: 'History of Broker import' })
      .click();
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
    await db.query('UPDATE users SET email_token_hash = $1, email_token_expires_at = $2 WHERE email = $3', [
      hashOpaqueToken(token),
      new Date(Date.now() + 3_600_000),
      'unconfirmed@example.com',
    ]);
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

  /** A new account on a new page of the same browser context, signed in on "Your keys". */
  async function signUp(email: string): Promise<Page> {
    const fresh = await context.newPage();
    await fresh.goto(product.url);
    await fresh.getByRole('button', { name: 'Create an account' }).click();
    await fresh.getByLabel('E-mail').fill(email);
    await fresh.getByLabel('Password').fill('a long enough password');
    await fresh.getByRole('button', { name: 'Create account' }).click();
    await fresh.getByRole('heading', { name: 'Your keys', exact: true }).waitFor();
    return fresh;
  }

  const rowOn = (on: Page, name: string) => on.locator('table[data-testid="keys"] tbody tr', { has: on.getByRole('rowheader', { name, exact: true }) });
  const useKey = (key: string, init: { method?: string; userAgent?: string } = {}) =>
    fetch(`${product.url}/v1/trades`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${key}`,
        'user-agent': init.userAgent ?? 'web-test',
        ...(init.method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      body: init.method === 'POST' ? '{}' : undefined,
    }).then((r) => r.status);

  /** Reloads until `check` holds: the page shows what the API has, and some of that arrives a little later. */
  async function reloadUntil(on: Page, check: () => Promise<boolean>, seconds = 30): Promise<void> {
    const until = Date.now() + seconds * 1000;
    for (;;) {
      await on.reload();
      await on.getByRole('heading', { name: 'Your keys', exact: true }).waitFor();
      await on.waitForLoadState('networkidle');
      if (await check()) return;
      if (Date.now() > until) throw new Error('the page never showed it');
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('creates a key with allowed addresses that rotates itself, shows both in the list, and edits them', async () => {
    const mine = await signUp('integrator@example.com');
    await mine.getByRole('button', { name: 'Create key' }).click();
    const create = mine.getByTestId('create-dialog');
    await create.getByLabel('Name').fill('Nightly sync');
    await create.getByLabel('Expires').selectOption('30');

    // A wrong entry is named before anything is sent, and the dialog stays open.
    await create.getByLabel('Allowed addresses').fill('127.0.0.1, 10.0.0.0/8\nnot-an-address');
    await create.getByRole('button', { name: 'Create key' }).click();
    await create.getByText('Not an IPv4 or IPv6 address or CIDR range: “not-an-address”.').waitFor();
    expect(await create.getByLabel('Allowed addresses').getAttribute('aria-invalid')).toBe('true');
    expect(await rowOn(mine, 'Nightly sync').count()).toBe(0);

    // The API's own refusal (a name that is only spaces) is shown too.
    await create.getByLabel('Allowed addresses').fill('127.0.0.1\n10.0.0.0/8');
    await create.getByLabel('Name').fill('   ');
    await create.getByRole('button', { name: 'Create key' }).click();
    await create.getByRole('alert').filter({ hasText: 'name' }).waitFor();

    await create.getByLabel('Name').fill('Nightly sync');
    const selfRotate = create.getByLabel('Let this key rotate itself');
    expect(await selfRotate.isChecked()).toBe(false);
    expect(await create.innerText()).toContain('POST /v1/api-keys/self/rotate');
    await selfRotate.check();
    await create.getByRole('button', { name: 'Create key' }).click();
    const secret = await takeSecret(mine);

    const row = rowOn(mine, 'Nightly sync');
    await row.waitFor();
    expect(await row.getByTestId('allowed-ips').innerText()).toBe('only from 127.0.0.1, 10.0.0.0/8');
    expect(await row.getByTestId('self-rotate').innerText()).toContain('rotates itself');

    // Used from an allowed address: the list says from where and with what.
    expect(await useKey(secret, { userAgent: 'nightly-sync/2.1 (+https://sync.example)' })).toBe(200);
    await reloadUntil(mine, async () => (await row.getByTestId('last-used-from').count()) === 1);
    expect(await row.getByTestId('last-used-from').innerText()).toBe('127.0.0.1 · nightly-sync/2.1');

    // Edit: a new name, and an address this test does not come from, which the API then enforces.
    await row.getByRole('button', { name: 'Edit Nightly sync' }).click();
    const edit = mine.getByTestId('edit-dialog');
    expect(await edit.getByLabel('Allowed addresses').inputValue()).toBe('127.0.0.1\n10.0.0.0/8');
    await edit.getByLabel('Name').fill('Nightly sync (prod)');
    await edit.getByLabel('Allowed addresses').fill('203.0.113.7');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    const renamed = rowOn(mine, 'Nightly sync (prod)');
    await renamed.getByTestId('allowed-ips').getByText('only from 203.0.113.7').waitFor();
    expect(await useKey(secret)).toBe(403);

    // Clearing the field lets the key work from anywhere again.
    await renamed.getByRole('button', { name: 'Edit Nightly sync (prod)' }).click();
    await edit.getByLabel('Allowed addresses').fill('');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await mine.waitForFunction(() => !document.querySelector('[data-testid="allowed-ips"]'));
    expect(await useKey(secret)).toBe(200);
    expect(await pageText(mine)).not.toContain(secret);
    await mine.close();
  });

  it('draws a key’s last 30 days of accepted and rejected use as an SVG chart', async () => {
    const mine = await signUp('charts@example.com');
    await mine.getByRole('button', { name: 'Create key' }).click();
    const create = mine.getByTestId('create-dialog');
    await create.getByLabel('Name').fill('Dashboard');
    await create.getByRole('button', { name: 'Create key' }).click();
    const secret = await takeSecret(mine);

    // Five reads are accepted; two writes with a read-only key are refused for scope.
    for (let i = 0; i < 5; i++) expect(await useKey(secret)).toBe(200);
    for (let i = 0; i < 2; i++) expect(await useKey(secret, { method: 'POST' })).toBe(403);

    // Counts roll up every second (USAGE_FLUSH_SECONDS=1); open the chart until they are in.
    const row = rowOn(mine, 'Dashboard');
    const chart = mine.getByTestId('history-dialog').getByTestId('usage-chart');
    const label = 'Use of “Dashboard” in the last 30 days: 5 accepted requests, 2 rejected requests';
    const until = Date.now() + 30_000;
    for (;;) {
      await row.getByRole('button', { name: 'History of Dashboard' }).click();
      await chart.waitFor();
      if ((await chart.getByRole('img').getAttribute('aria-label')) === label || Date.now() > until) break;
      await mine.getByTestId('history-dialog').getByRole('button', { name: 'Close' }).click();
      await new Promise((r) => setTimeout(r, 500));
    }
    const svg = chart.locator('svg');
    expect(await svg.getAttribute('aria-label')).toBe(label);
    expect(await svg.locator(':scope > title').textContent()).toBe(label);
    expect(await svg.locator('g.day').count()).toBe(30);
    expect(await svg.locator('rect.accepted').count()).toBe(1);
    expect(await svg.locator('rect.rejected').count()).toBe(1);
    const today = new Date().toISOString().slice(0, 10);
    expect(await svg.locator(`g.day[data-date="${today}"] > title`).textContent()).toBe(`${today}: 5 accepted requests, 2 rejected requests`);
    // Stacked: the rejected part sits on top of the accepted part, and is smaller.
    const accepted = await svg.locator('rect.accepted').boundingBox();
    const rejected = await svg.locator('rect.rejected').boundingBox();
    expect(accepted && rejected && Math.abs(rejected.y + rejected.height - accepted.y) < 1 && rejected.height < accepted.height).toBe(true);
    await mine.close();
  });

  it('creates a decoy key, marks it, offers no rotation, and shows a red alert when it is used until marked read', async () => {
    const mine = await signUp('decoys@example.com');
    await mine.getByRole('button', { name: 'Create a decoy key' }).click();
    const decoy = mine.getByTestId('decoy-dialog');
    expect(await decoy.innerText()).toContain('Plant it where an intruder would look');
    // A decoy cannot rotate itself, and addresses would only keep it from alerting: neither is offered.
    expect(await decoy.getByLabel('Let this key rotate itself').count()).toBe(0);
    expect(await decoy.getByLabel('Allowed addresses').count()).toBe(0);
    await decoy.getByLabel('Name').fill('prod .env');
    await decoy.getByRole('button', { name: 'Create decoy key' }).click();
    const secret = await takeSecret(mine);

    const row = rowOn(mine, 'prod .env');
    await row.waitFor();
    expect(await row.getAttribute('data-canary')).toBe('true');
    expect(await row.locator('.badge.decoy').innerText()).toBe('Decoy');
    expect(await row.getByRole('button', { name: 'Rotate prod .env' }).count()).toBe(0);
    expect(await mine.getByTestId('review').filter({ hasText: 'prod .env' }).count()).toBe(0);
    expect(await mine.getByTestId('canary-banner').count()).toBe(0);

    // An intruder tries it: the answer is an unknown key's, and the worker tells the owner.
    expect(await useKey(secret, { userAgent: 'intruder-scan/0.1' })).toBe(401);
    const banner = mine.getByTestId('canary-banner');
    await reloadUntil(mine, async () => (await banner.count()) === 1, 60);
    expect(await banner.getAttribute('role')).toBe('alert');
    const text = await banner.innerText();
    expect(text).toContain('prod .env');
    expect(text).toContain('intruder-scan/0.1');
    expect(await banner.evaluate((el) => getComputedStyle(el).borderColor)).toBe('rgb(185, 28, 28)');
    // It comes before everything else on the page.
    expect(await mine.evaluate(() => document.querySelector('main > *:not(nav)')?.getAttribute('data-testid'))).toBe('canary-banner');

    await banner.getByRole('button', { name: 'Mark read' }).click();
    await banner.waitFor({ state: 'detached' });
    await mine.reload();
    await mine.getByRole('heading', { name: 'Your keys', exact: true }).waitFor();
    await mine.waitForLoadState('networkidle');
    expect(await banner.count()).toBe(0);
    await mine.close();
  });

  it('suggests revoking a key unused for 30 days and replacing one due for rotation with a key that rotates itself', async () => {
    const mine = await signUp('reviewer@example.com');
    const token = await mine.evaluate(() => sessionStorage.getItem('tradetally.session'));
    const make = (name: string) =>
      fetch(`${product.url}/v1/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, scope: 'read', expiresAt: new Date(Date.now() + 100 * 86_400_000).toISOString(), allowedIps: ['127.0.0.1'] }),
      }).then((r) => r.json() as Promise<{ apiKey: { id: string } }>);
    const idle = await make('Forgotten export');
    const ageing = await make('Portfolio sync');
    // Ages the API cannot fake: made 45 days ago and never used; made 88 days ago, so due for rotation (90 days) in 2.
    const db = await openDb(product.databaseUrl, { migrate: false });
    await db.query('UPDATE api_keys SET created_at = $1 WHERE id = $2', [new Date(Date.now() - 45 * 86_400_000), idle.apiKey.id]);
    await db.query('UPDATE api_keys SET created_at = $1 WHERE id = $2', [new Date(Date.now() - 88 * 86_400_000), ageing.apiKey.id]);
    await db.close();
    await mine.reload();
    const review = mine.getByTestId('review');
    await review.waitFor();

    const unused = review.locator('li', { hasText: 'Forgotten export' }).filter({ hasText: 'never been used' });
    expect(await unused.innerText()).toContain('has never been used in the 45 days since it was made');
    await unused.getByRole('button', { name: 'Revoke' }).click();
    await mine.getByTestId('revoke-dialog').getByRole('button', { name: 'Revoke key' }).click();
    await mine.getByTestId('revoke-dialog').waitFor({ state: 'detached' });
    await mine.waitForFunction(() => !document.querySelector('[data-testid="review"]')?.textContent?.includes('Forgotten export'));
    expect(await rowOn(mine, 'Forgotten export').count()).toBe(0); // the list shows active keys

    const due = review.locator('li', { hasText: 'Portfolio sync' }).filter({ hasText: 'due for rotation' });
    expect(await due.innerText()).toContain('is due for rotation in 2 days');
    await due.getByRole('button', { name: 'Replace with a self-rotating key' }).click();
    const create = mine.getByTestId('create-dialog');
    expect(await create.getByLabel('Name').inputValue()).toBe('Portfolio sync');
    expect(await create.getByLabel('Allowed addresses').inputValue()).toBe('127.0.0.1');
    expect(await create.getByLabel('Let this key rotate itself').isChecked()).toBe(true);
    await create.getByRole('button', { name: 'Create key' }).click();
    await mine.getByTestId('secret-dialog').getByText('then revoke the old one', { exact: false }).waitFor();
    await takeSecret(mine);
    await mine.waitForFunction(() => document.querySelectorAll('table[data-testid="keys"] tbody tr').length === 2);
    const rows = await rowOn(mine, 'Portfolio sync').allInnerTexts();
    expect(rows.filter((t) => t.includes('rotates itself'))).toHaveLength(1);
    // The new key does not wait for anyone, so only the old one is still due.
    expect(await review.locator('li', { hasText: 'due for rotation' }).count()).toBe(1);
    await mine.close();
  });
});
