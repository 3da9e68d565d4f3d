import { describe, expect, it } from 'vitest';
import { settingsPageSuite, useKey } from '../../testing/settings-page.js';

describe('revoking a key', () => {
  const suite = settingsPageSuite();

  it('revokes a key once confirmed, and the key gets 401 on its next request', async () => {
    const trader = await suite.signUp('revoke');
    const { secret } = await trader.api.keys.create({ name: 'Broker import', scope: 'read' });
    await trader.reload();
    await trader.row('Broker import').getByRole('button', { name: 'Revoke Broker import' }).click();
    const dialog = trader.page.getByTestId('revoke-dialog');
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await useKey(secret)).toBe(401);
  });

  it('leaves the key working when the trader keeps it', async () => {
    const trader = await suite.signUp('keep');
    const { secret } = await trader.api.keys.create({ name: 'Broker import', scope: 'read' });
    await trader.reload();
    await trader.row('Broker import').getByRole('button', { name: 'Revoke Broker import' }).click();
    await trader.page.getByTestId('revoke-dialog').getByRole('button', { name: 'Keep it' }).click();
    await trader.page.getByTestId('revoke-dialog').waitFor({ state: 'detached' });
    expect(await useKey(secret)).toBe(200);
  });

  it('moves a revoked key out of "Active" and shows it under "All" as revoked by the user', async () => {
    const trader = await suite.signUp('revoked-list');
    const { apiKey } = await trader.api.keys.create({ name: 'Broker import', scope: 'read' });
    await trader.api.keys.revoke(apiKey.id);
    await trader.reload();
    expect(await trader.row('Broker import').count()).toBe(0);
    await trader.page.getByRole('button', { name: 'All' }).click();
    const row = trader.page.locator(`tr[data-status="revoked"][data-key-id="${apiKey.id}"]`);
    expect(await row.innerText()).toContain('revoked (user)');
    expect(await row.getByRole('button', { name: 'Revoke Broker import' }).count()).toBe(0);
  });
});
