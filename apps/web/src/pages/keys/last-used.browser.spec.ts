import { describe, expect, it } from 'vitest';
import { settingsPageSuite, useKey } from '../../testing/settings-page.js';

describe('when and where a key was last used', () => {
  const suite = settingsPageSuite();

  it('says "never" for a key not used yet', async () => {
    const trader = await suite.signUp('never-used');
    await trader.api.keys.create({ name: 'Nightly sync', scope: 'read' });
    await trader.reload();
    expect(await trader.row('Nightly sync').locator('td').nth(5).innerText()).toBe('never');
  });

  it('shows the address and the client of the last use', async () => {
    const trader = await suite.signUp('last-used');
    const { secret } = await trader.api.keys.create({ name: 'Nightly sync', scope: 'read' });
    expect(await useKey(secret, { userAgent: 'nightly-sync/2.1 (+https://sync.example)' })).toBe(200);
    const from = trader.row('Nightly sync').getByTestId('last-used-from');
    await trader.reloadUntil(async () => (await from.count()) === 1);
    expect(await from.innerText()).toBe('127.0.0.1 · nightly-sync/2.1');
  });
});
