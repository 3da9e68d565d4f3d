import { describe, expect, it } from 'vitest';
import { type Trader, displayOf, settingsPageSuite, storedText, useKey } from '../../testing/settings-page.js';

describe('rotating a key', () => {
  const suite = settingsPageSuite();

  /** Makes "Broker import" through the API, then rotates it on the page with `grace`; returns both secrets and the secret's note. */
  async function rotate(trader: Trader, grace: string): Promise<{ old: string; fresh: string; note: string }> {
    const { secret: old } = await trader.api.keys.create({ name: 'Broker import', scope: 'read' });
    await trader.reload();
    await trader.row('Broker import').getByRole('button', { name: 'Rotate Broker import' }).click();
    const dialog = trader.page.getByTestId('rotate-dialog');
    await dialog.getByLabel(grace).check();
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    const note = await trader.page.getByTestId('secret-dialog').locator('p.note').innerText();
    return { old, fresh: await trader.takeSecret(), note };
  }

  it('says under the new secret until when the old key keeps working', async () => {
    const trader = await suite.signUp('rotation-note');
    const { old, note } = await rotate(trader, '1 hour');
    expect(note).toContain(`The old key ${displayOf(old)} keeps working until`);
  });

  it('keeps the old key working beside the new one during the grace period', async () => {
    const trader = await suite.signUp('rotation-grace');
    const { old, fresh } = await rotate(trader, '1 hour');
    expect(fresh).not.toBe(old);
    expect(await useKey(old)).toBe(200);
    expect(await useKey(fresh)).toBe(200);
  });

  it('stops the old key at once when rotated with no grace, and says so', async () => {
    const trader = await suite.signUp('rotation-now');
    const { old, fresh, note } = await rotate(trader, 'Now — the old key stops at once');
    expect(note).toBe(`The old key ${displayOf(old)} has stopped working.`);
    expect(await useKey(old)).toBe(401);
    expect(await useKey(fresh)).toBe(200);
  });

  it('lists the old key as rotating, without a Rotate button, and the new one as active', async () => {
    const trader = await suite.signUp('rotation-list');
    const { old, fresh } = await rotate(trader, '1 hour');
    await trader.page.waitForFunction(() => document.querySelectorAll('table[data-testid="keys"] tbody tr').length === 2);
    const oldRow = trader.page.locator('tbody tr', { hasText: displayOf(old) });
    const newRow = trader.page.locator('tbody tr', { hasText: displayOf(fresh) });
    expect(await oldRow.locator('.badge').innerText()).toMatch(/^rotating — ends in (60 minutes|1 hour)$/);
    expect(await oldRow.getByRole('button', { name: 'Rotate Broker import' }).count()).toBe(0);
    expect(await newRow.locator('.badge').innerText()).toBe('active');
    expect(await newRow.getByRole('button', { name: 'Rotate Broker import' }).count()).toBe(1);
  });

  it('keeps neither secret in storage or the page', async () => {
    const trader = await suite.signUp('rotation-no-trace');
    const { old, fresh } = await rotate(trader, '1 hour');
    const text = await storedText(trader.page);
    expect(text).not.toContain(old);
    expect(text).not.toContain(fresh);
  });
});
