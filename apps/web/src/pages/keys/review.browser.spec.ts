import { DAY_MS, displayApiKey } from '@tradetally/contracts';
import { openDb } from '@tradetally/database';
import { describe, expect, it } from 'vitest';
import { type Trader, product, settingsPageSuite } from '../../testing/settings-page.js';

describe('reviewing keys', () => {
  const suite = settingsPageSuite();

  /** Makes a key through the API that was, as far as the database knows, made `days` ago: an age the API cannot fake. */
  async function keyMadeDaysAgo(trader: Trader, name: string, days: number, selfRotate = false) {
    const made = await trader.api.keys.create({
      name,
      scope: 'read',
      expiresAt: new Date(Date.now() + 100 * DAY_MS).toISOString(),
      allowedIps: ['127.0.0.1'],
      selfRotate,
    });
    const db = await openDb(product.databaseUrl, { migrate: false });
    try {
      await db.query('UPDATE api_keys SET created_at = $1 WHERE id = $2', [new Date(Date.now() - days * DAY_MS), made.apiKey.id]);
    } finally {
      await db.close();
    }
    await trader.reload();
    return made;
  }

  it('suggests revoking a key unused for 30 days, and revokes it in one click', async () => {
    const trader = await suite.signUp('review-unused');
    await keyMadeDaysAgo(trader, 'Forgotten export', 45);
    const review = trader.page.getByTestId('review');
    const unused = review.locator('li', { hasText: 'Forgotten export' }).filter({ hasText: 'never been used' });
    expect(await unused.innerText()).toContain('has never been used in the 45 days since it was made');
    await unused.getByRole('button', { name: 'Revoke' }).click();
    await trader.page.getByTestId('revoke-dialog').getByRole('button', { name: 'Revoke key' }).click();
    await trader.page.getByTestId('revoke-dialog').waitFor({ state: 'detached' });
    await trader.page.waitForFunction(() => !document.querySelector('[data-testid="review"]')?.textContent?.includes('Forgotten export'));
    expect(await trader.row('Forgotten export').count()).toBe(0); // the list shows active keys
  });

  it('offers a key due for rotation a replacement that copies it and rotates itself', async () => {
    const trader = await suite.signUp('review-due');
    // Made 88 days ago: due for rotation (90 days) in 2.
    await keyMadeDaysAgo(trader, 'Portfolio sync', 88);
    const due = trader.page.getByTestId('review').locator('li', { hasText: 'Portfolio sync' }).filter({ hasText: 'due for rotation' });
    expect(await due.innerText()).toContain('is due for rotation in 2 days');
    await due.getByRole('button', { name: 'Replace with a self-rotating key' }).click();
    const create = trader.page.getByTestId('create-dialog');
    expect(await create.getByLabel('Name').inputValue()).toBe('Portfolio sync');
    expect(await create.getByLabel('Allowed addresses').inputValue()).toBe('127.0.0.1');
    expect(await create.getByLabel('Let this key rotate itself').isChecked()).toBe(true);
  });

  it('names the old key to revoke under the replacement’s secret', async () => {
    const trader = await suite.signUp('review-replaced');
    const { apiKey } = await keyMadeDaysAgo(trader, 'Portfolio sync', 88);
    await trader.page.getByTestId('review').getByRole('button', { name: 'Replace with a self-rotating key' }).click();
    await trader.page.getByTestId('create-dialog').getByRole('button', { name: 'Create key' }).click();
    const note = await trader.page.getByTestId('secret-dialog').locator('p.note').innerText();
    expect(note).toBe(`Switch your integration to this key, then revoke the old one (${displayApiKey(apiKey)}). This one renews itself.`);
  });

  it('stops reviewing the rotation of a key that rotates itself', async () => {
    const trader = await suite.signUp('review-self-rotating');
    const { apiKey } = await keyMadeDaysAgo(trader, 'Portfolio sync', 88);
    await keyMadeDaysAgo(trader, 'Portfolio sync', 88, true);
    expect(await trader.row('Portfolio sync').count()).toBe(2);
    // Both are 88 days old; only the one that waits for its owner is due.
    const due = trader.page.getByTestId('review').locator('li', { hasText: 'due for rotation' });
    expect(await due.count()).toBe(1);
    expect(await due.innerText()).toContain(displayApiKey(apiKey));
  });
});
