import { describe, expect, it } from 'vitest';
import { settingsPageSuite } from '../../testing/settings-page.js';

describe('keys that rotate themselves', () => {
  const suite = settingsPageSuite();

  it('offers self-rotation unchecked, naming the route an integration calls', async () => {
    const trader = await suite.signUp('self-rotate-offer');
    await trader.page.getByRole('button', { name: 'Create key' }).click();
    const create = trader.page.getByTestId('create-dialog');
    expect(await create.getByLabel('Let this key rotate itself').isChecked()).toBe(false);
    expect(await create.innerText()).toContain('POST /v1/api-keys/self/rotate');
  });

  it('makes a key that rotates itself, and marks it so in the list', async () => {
    const trader = await suite.signUp('self-rotate-create');
    await trader.page.getByRole('button', { name: 'Create key' }).click();
    const create = trader.page.getByTestId('create-dialog');
    await create.getByLabel('Name').fill('Nightly sync');
    await create.getByLabel('Let this key rotate itself').check();
    await create.getByRole('button', { name: 'Create key' }).click();
    await trader.takeSecret();
    expect(await trader.row('Nightly sync').getByTestId('self-rotate').innerText()).toContain('rotates itself');
    expect((await trader.api.keys.list()).data.map((key) => key.selfRotate)).toEqual([true]);
  });
});
