import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';

/** The page a confirmation link opens (`/verify-email?token=…`): confirms once, then offers the way on. */
export function VerifyEmailPage(props: { token: string; onDone: () => void }) {
  const [state, setState] = useState<{ kind: 'working' } | { kind: 'done'; email: string } | { kind: 'failed'; message: string }>({ kind: 'working' });
  useEffect(() => {
    // The token leaves the address bar at once: it should not linger in history or be shared by a copied URL.
    history.replaceState(null, '', '/verify-email');
    api.verifyEmail(props.token).then(
      ({ user }) => setState({ kind: 'done', email: user.email }),
      (error: Error) => setState({ kind: 'failed', message: error.message }),
    );
  }, [props.token]);
  return (
    <main class="container narrow" data-testid="verify-email">
      <article aria-busy={state.kind === 'working'}>
        <header>
          <strong>Confirm your e-mail address</strong>
        </header>
        {state.kind === 'done' && <p>Thank you: {state.email} is confirmed. TradeTally can now e-mail you reminders and leak alerts.</p>}
        {state.kind === 'failed' && <p class="error">{state.message}</p>}
        {state.kind !== 'working' && (
          <button type="button" onClick={props.onDone}>
            Go to your API keys
          </button>
        )}
      </article>
    </main>
  );
}
