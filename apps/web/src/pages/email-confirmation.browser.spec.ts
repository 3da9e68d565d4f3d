import { randomBytes } from 'node:crypto';
import { HOUR_MS } from '@tradetally/contracts';
import { hashOpaqueToken, openDb } from '@tradetally/database';
import { describe, expect, it } from 'vitest';
import { product, settingsPageSuite } from '../testing/settings-page.js';

/** Stores a confirmation token for `email` the way the worker does (only its hash), and returns the token. */
async function plantConfirmationToken(email: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const db = await openDb(product.databaseUrl, { migrate: false });
  try {
    await db.query('UPDATE users SET email_token_hash = $1, email_token_expires_at = $2 WHERE email = $3', [
      hashOpaqueToken(token),
      new Date(Date.now() + HOUR_MS),
      email,
    ]);
  } finally {
    await db.close();
  }
  return token;
}

describe('confirming the e-mail address', () => {
  const suite = settingsPageSuite();

  it('tells an unconfirmed user that nothing is e-mailed until they confirm', async () => {
    const { page } = await suite.signUp('unconfirmed');
    const banner = page.getByTestId('email-banner');
    expect(await banner.innerText()).toContain('Confirm your e-mail address');
    expect(await banner.innerText()).toContain('TradeTally sends you no e-mail');
  });

  it('sends the link again on request', async () => {
    const { page } = await suite.signUp('resend');
    const banner = page.getByTestId('email-banner');
    await banner.getByRole('button', { name: 'Send again' }).click();
    await banner.getByText('Sent again', { exact: false }).waitFor();
  });

  it('confirms the address from the link, keeps the token out of the address bar, and drops the banner', async () => {
    const { page, email } = await suite.signUp('confirming');
    const token = await plantConfirmationToken(email);
    await page.goto(`${product.url}/verify-email?token=${token}`);
    const confirmed = page.getByTestId('verify-email');
    await confirmed.getByText('is confirmed', { exact: false }).waitFor();
    expect(page.url()).not.toContain(token);
    await confirmed.getByRole('button', { name: 'Go to your API keys' }).click();
    await page.getByRole('heading', { name: 'Your keys', exact: true }).waitFor();
    expect(await page.getByTestId('email-banner').count()).toBe(0);
  });

  it('refuses a link already used', async () => {
    const { page, email } = await suite.signUp('reused-link');
    const token = await plantConfirmationToken(email);
    await page.goto(`${product.url}/verify-email?token=${token}`);
    await page.getByTestId('verify-email').getByText('is confirmed', { exact: false }).waitFor();
    await page.goto(`${product.url}/verify-email?token=${token}`);
    await page.getByTestId('verify-email').getByText('already used or expired', { exact: false }).waitFor();
  });
});
