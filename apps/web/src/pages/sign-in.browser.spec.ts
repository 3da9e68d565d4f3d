import { describe, it } from 'vitest';
import { PASSWORD, keysPageReady, newEmail, product, settingsPageSuite } from '../testing/settings-page.js';

describe('signing up and in', () => {
  const suite = settingsPageSuite();

  it('creates an account and opens on "Your keys"', async () => {
    const page = await suite.newPage();
    await page.goto(product.url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('E-mail').fill(newEmail('sign-up'));
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await keysPageReady(page);
  });

  it('shows the API’s problem details as clear errors', async () => {
    const page = await suite.newPage();
    await page.goto(product.url);
    await page.getByLabel('E-mail').fill('nobody@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The e-mail or the password is wrong.' }).waitFor();
  });
});
