import type { User } from '@tradetally/contracts';
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { useAction } from './useAction.js';

/**
 * Shown to a user whose address is not confirmed yet: until it is, TradeTally e-mails it nothing
 * but the confirmation (security.md), so reminders and leak alerts appear only on this page.
 */
export function EmailBanner(props: { user: User }) {
  const { busy, error, run } = useAction();
  const [sent, setSent] = useState(false);
  if (props.user.emailVerifiedAt) return null;
  const resend = run(async () => {
    await api.resendVerification();
    setSent(true);
  });
  return (
    <article class="email-banner" data-testid="email-banner" aria-live="polite">
      <strong>Confirm your e-mail address.</strong> We sent a link to {props.user.email}. Until you open it, TradeTally sends you no e-mail: expiry reminders
      and leak alerts appear only here.{' '}
      {sent ? (
        <em>Sent again: check your inbox.</em>
      ) : (
        <button type="button" class="secondary outline" aria-busy={busy} disabled={busy} onClick={resend}>
          Send again
        </button>
      )}
      {error && <small class="error"> {error}</small>}
    </article>
  );
}
