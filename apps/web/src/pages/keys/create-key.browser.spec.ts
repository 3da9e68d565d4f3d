import { isValidApiKey, parseApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { type Trader, displayOf, settingsPageSuite, storedText, useKey } from '../../testing/settings-page.js';

describe('creating a key', () => {
  const suite = settingsPageSuite();

  /** Opens "Create key" and fills the name; the dialog is left open. */
  async function openCreate(trader: Trader, name: string) {
    await trader.page.getByRole('button', { name: 'Create key' }).click();
    const create = trader.page.getByTestId('create-dialog');
    await create.getByLabel('Name').fill(name);
    return create;
  }

  it('preselects read-only and 90 days', async () => {
    const trader = await suite.signUp('defaults');
    const create = await openCreate(trader, 'Broker import');
    expect(await create.getByLabel('Read only', { exact: false }).isChecked()).toBe(true);
    expect(await create.getByLabel('Expires').inputValue()).toBe('90');
  });

  it('warns about a key that never expires', async () => {
    const trader = await suite.signUp('never-expires');
    const create = await openCreate(trader, 'Broker import');
    expect(await create.getByRole('note').count()).toBe(0);
    await create.getByLabel('Expires').selectOption('never');
    expect(await create.getByRole('note').innerText()).toContain('stays dangerous forever');
  });

  it('shows the secret once: copied exactly, and closed only once the trader says it is stored', async () => {
    const trader = await suite.signUp('one-time');
    const create = await openCreate(trader, 'Broker import');
    await create.getByRole('button', { name: 'Create key' }).click();
    expect(isValidApiKey(await trader.takeSecret())).toBe(true); // takeSecret checks copy, Escape and Done
  });

  it('makes a live key that works at once', async () => {
    const trader = await suite.signUp('works');
    const create = await openCreate(trader, 'Broker import');
    await create.getByLabel('Expires').selectOption('30');
    await create.getByRole('button', { name: 'Create key' }).click();
    const secret = await trader.takeSecret();
    expect(parseApiKey(secret)?.env).toBe('live');
    expect(await useKey(secret)).toBe(200);
  });

  it('lists the new key as active by its display form', async () => {
    const trader = await suite.signUp('listed');
    const create = await openCreate(trader, 'Broker import');
    await create.getByRole('button', { name: 'Create key' }).click();
    const secret = await trader.takeSecret();
    await trader.reload();
    const row = trader.row('Broker import');
    expect(await row.getAttribute('data-status')).toBe('active');
    expect(await row.innerText()).toContain(displayOf(secret));
  });

  it('keeps no trace of the secret in storage or the page once its dialog is closed', async () => {
    const trader = await suite.signUp('no-trace');
    const create = await openCreate(trader, 'Broker import');
    await create.getByRole('button', { name: 'Create key' }).click();
    const secret = await trader.takeSecret();
    expect(await storedText(trader.page)).not.toContain(secret);
    await trader.reload();
    expect(await storedText(trader.page)).not.toContain(secret);
  });

  it('shows the API’s refusal of a name that is only spaces, and keeps the dialog open', async () => {
    const trader = await suite.signUp('blank-name');
    const create = await openCreate(trader, '   ');
    await create.getByRole('button', { name: 'Create key' }).click();
    await create.getByRole('alert').filter({ hasText: 'name' }).waitFor();
    expect(await create.isVisible()).toBe(true);
  });
});
