import { describe, expect, it } from 'vitest';
import { type Trader, settingsPageSuite, useKey } from '../../testing/settings-page.js';

describe('allowed addresses', () => {
  const suite = settingsPageSuite();

  /** Makes "Nightly sync" through the API, allowed from `allowedIps` (this test runs from 127.0.0.1). */
  async function keyFrom(trader: Trader, allowedIps: string[]) {
    const made = await trader.api.keys.create({ name: 'Nightly sync', scope: 'read', allowedIps });
    await trader.reload();
    return made;
  }

  /** Opens the edit dialog of "Nightly sync", puts `ips` in the field and saves. */
  async function editAddresses(trader: Trader, ips: string) {
    await trader.row('Nightly sync').getByRole('button', { name: 'Edit Nightly sync' }).click();
    const edit = trader.page.getByTestId('edit-dialog');
    await edit.getByLabel('Allowed addresses').fill(ips);
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
  }

  it('names a wrong entry before anything is sent, and keeps the dialog open', async () => {
    const trader = await suite.signUp('ips-wrong');
    await trader.page.getByRole('button', { name: 'Create key' }).click();
    const create = trader.page.getByTestId('create-dialog');
    await create.getByLabel('Name').fill('Nightly sync');
    await create.getByLabel('Allowed addresses').fill('127.0.0.1, 10.0.0.0/8\nnot-an-address');
    await create.getByRole('button', { name: 'Create key' }).click();
    await create.getByText('Not an IPv4 or IPv6 address or CIDR range: “not-an-address”.').waitFor();
    expect(await create.getByLabel('Allowed addresses').getAttribute('aria-invalid')).toBe('true');
    expect((await trader.api.keys.list()).data).toEqual([]);
  });

  it('creates a key that works only from the addresses given, and lists them', async () => {
    const trader = await suite.signUp('ips-create');
    await trader.page.getByRole('button', { name: 'Create key' }).click();
    const create = trader.page.getByTestId('create-dialog');
    await create.getByLabel('Name').fill('Nightly sync');
    await create.getByLabel('Allowed addresses').fill('127.0.0.1\n10.0.0.0/8');
    await create.getByRole('button', { name: 'Create key' }).click();
    const secret = await trader.takeSecret();
    expect(await trader.row('Nightly sync').getByTestId('allowed-ips').innerText()).toBe('only from 127.0.0.1, 10.0.0.0/8');
    expect(await useKey(secret)).toBe(200);
  });

  it('shows the current addresses in the edit dialog, one per line', async () => {
    const trader = await suite.signUp('ips-edit-shows');
    await keyFrom(trader, ['127.0.0.1', '10.0.0.0/8']);
    await trader.row('Nightly sync').getByRole('button', { name: 'Edit Nightly sync' }).click();
    expect(await trader.page.getByTestId('edit-dialog').getByLabel('Allowed addresses').inputValue()).toBe('127.0.0.1\n10.0.0.0/8');
  });

  it('edits the addresses, and the API refuses the key from anywhere else (403)', async () => {
    const trader = await suite.signUp('ips-edit');
    const { secret } = await keyFrom(trader, ['127.0.0.1']);
    await editAddresses(trader, '203.0.113.7');
    await trader.row('Nightly sync').getByTestId('allowed-ips').getByText('only from 203.0.113.7').waitFor();
    expect(await useKey(secret)).toBe(403);
  });

  it('clears the addresses, and the key works from anywhere again', async () => {
    const trader = await suite.signUp('ips-clear');
    const { secret } = await keyFrom(trader, ['203.0.113.7']);
    expect(await useKey(secret)).toBe(403);
    await editAddresses(trader, '');
    await trader.page.waitForFunction(() => !document.querySelector('[data-testid="allowed-ips"]'));
    expect(await useKey(secret)).toBe(200);
  });

  it('renames a key from the edit dialog', async () => {
    const trader = await suite.signUp('rename');
    await keyFrom(trader, ['127.0.0.1']);
    await trader.row('Nightly sync').getByRole('button', { name: 'Edit Nightly sync' }).click();
    const edit = trader.page.getByTestId('edit-dialog');
    await edit.getByLabel('Name').fill('Nightly sync (prod)');
    await edit.getByRole('button', { name: 'Save' }).click();
    await trader.row('Nightly sync (prod)').waitFor();
    expect(await trader.row('Nightly sync (prod)').getByTestId('allowed-ips').innerText()).toBe('only from 127.0.0.1');
  });
});
