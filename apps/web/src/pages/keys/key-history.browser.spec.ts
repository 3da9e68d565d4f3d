import { describe, expect, it } from 'vitest';
import { settingsPageSuite, useKey } from '../../testing/settings-page.js';

describe('a key’s history', () => {
  const suite = settingsPageSuite();

  it('lists what happened to a key: made, then rotated', async () => {
    const trader = await suite.signUp('history-events');
    const { apiKey } = await trader.api.keys.create({ name: 'Broker import', scope: 'read' });
    await trader.api.keys.rotate(apiKey.id, { gracePeriodMinutes: 60 });
    await trader.reload();
    await trader.page.locator(`tr[data-key-id="${apiKey.id}"]`).getByRole('button', { name: 'History of Broker import' }).click();
    const events = trader.page.getByTestId('history-dialog').locator('ol > li');
    await events.filter({ hasText: 'rotated' }).first().waitFor();
    const texts = await events.allInnerTexts();
    expect(texts.some((t) => t.startsWith('created by user'))).toBe(true);
    expect(texts.some((t) => t.startsWith('rotated by user'))).toBe(true);
  });

  it('draws the last 30 days of accepted and rejected use as stacked SVG bars', async () => {
    const trader = await suite.signUp('history-usage');
    const { secret } = await trader.api.keys.create({ name: 'Dashboard', scope: 'read' });
    // Five reads are accepted; two writes with a read-only key are refused for scope.
    for (let i = 0; i < 5; i++) expect(await useKey(secret)).toBe(200);
    for (let i = 0; i < 2; i++) expect(await useKey(secret, { method: 'POST' })).toBe(403);
    await trader.reload();

    // Counts roll up every second (USAGE_FLUSH_SECONDS=1); open the chart until they are in.
    const dialog = trader.page.getByTestId('history-dialog');
    const chart = dialog.getByTestId('usage-chart');
    const label = 'Use of “Dashboard” in the last 30 days: 5 accepted requests, 2 rejected requests';
    const until = Date.now() + 30_000;
    for (;;) {
      await trader.row('Dashboard').getByRole('button', { name: 'History of Dashboard' }).click();
      await chart.waitFor();
      if ((await chart.getByRole('img').getAttribute('aria-label')) === label || Date.now() > until) break;
      await dialog.getByRole('button', { name: 'Close' }).click();
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
  });
});
