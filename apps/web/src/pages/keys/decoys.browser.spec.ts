import { describe, expect, it } from 'vitest';
import { type Trader, settingsPageSuite, useKey } from '../../testing/settings-page.js';

describe('decoy keys', () => {
  const suite = settingsPageSuite();

  /** Makes the decoy "prod .env" through the API and shows it. */
  async function decoy(trader: Trader) {
    const made = await trader.api.keys.create({ name: 'prod .env', scope: 'read', expiresAt: null, canary: true });
    await trader.reload();
    return made;
  }

  /** Uses the decoy as an intruder would, and reloads until the worker's alert is on the page. */
  async function trip(trader: Trader, secret: string) {
    expect(await useKey(secret, { userAgent: 'intruder-scan/0.1' })).toBe(401); // an unknown key's answer
    await trader.reloadUntil(async () => (await trader.page.getByTestId('canary-banner').count()) === 1, 60);
  }

  it('asks neither allowed addresses nor self-rotation for a decoy', async () => {
    const trader = await suite.signUp('decoy-dialog');
    await trader.page.getByRole('button', { name: 'Create a decoy key' }).click();
    const dialog = trader.page.getByTestId('decoy-dialog');
    expect(await dialog.innerText()).toContain('Plant it where an intruder would look');
    expect(await dialog.getByLabel('Let this key rotate itself').count()).toBe(0);
    expect(await dialog.getByLabel('Allowed addresses').count()).toBe(0);
  });

  it('makes a decoy that never expires and says where to plant it', async () => {
    const trader = await suite.signUp('decoy-create');
    await trader.page.getByRole('button', { name: 'Create a decoy key' }).click();
    const dialog = trader.page.getByTestId('decoy-dialog');
    await dialog.getByLabel('Name').fill('prod .env');
    await dialog.getByRole('button', { name: 'Create decoy key' }).click();
    const secret = trader.page.getByTestId('secret-dialog');
    expect(await secret.getByRole('heading').innerText()).toBe('Decoy key “prod .env” created');
    expect(await secret.locator('p.note').innerText()).toContain('Plant it where an intruder would look');
    await trader.takeSecret();
    expect((await trader.api.keys.list()).data.map((key) => [key.canary, key.expiresAt])).toEqual([[true, null]]);
  });

  it('marks a decoy in the list and offers no rotation for it', async () => {
    const trader = await suite.signUp('decoy-row');
    await decoy(trader);
    const row = trader.row('prod .env');
    expect(await row.getAttribute('data-canary')).toBe('true');
    expect(await row.locator('.badge.decoy').innerText()).toBe('Decoy');
    expect(await row.getByRole('button', { name: 'Rotate prod .env' }).count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Revoke prod .env' }).count()).toBe(1);
  });

  it('leaves a decoy out of the review, however unused and eternal', async () => {
    const trader = await suite.signUp('decoy-review');
    await decoy(trader);
    expect(await trader.page.getByTestId('review').count()).toBe(0);
    expect(await trader.page.getByText('Nothing to review', { exact: false }).count()).toBe(1);
  });

  it('raises a red alert above everything else when the decoy is used, naming it and the client', async () => {
    const trader = await suite.signUp('decoy-alert');
    const { secret } = await decoy(trader);
    expect(await trader.page.getByTestId('canary-banner').count()).toBe(0);
    await trip(trader, secret);
    const banner = trader.page.getByTestId('canary-banner');
    expect(await banner.getAttribute('role')).toBe('alert');
    const text = await banner.innerText();
    expect(text).toContain('prod .env');
    expect(text).toContain('intruder-scan/0.1');
    expect(await banner.evaluate((el) => getComputedStyle(el).borderColor)).toBe('rgb(185, 28, 28)');
    expect(await trader.page.evaluate(() => document.querySelector('main > *:not(nav)')?.getAttribute('data-testid'))).toBe('canary-banner');
  });

  it('takes the alert down once marked read, for good', async () => {
    const trader = await suite.signUp('decoy-read');
    const { secret } = await decoy(trader);
    await trip(trader, secret);
    const banner = trader.page.getByTestId('canary-banner');
    await banner.getByRole('button', { name: 'Mark read' }).click();
    await banner.waitFor({ state: 'detached' });
    await trader.reload();
    expect(await banner.count()).toBe(0);
  });
});
