import { PASSWORD_MIN_LENGTH, type User } from '@tradetally/contracts';
import { useState } from 'preact/hooks';
import { api, session } from '../api/client.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useAction } from '../components/useAction.js';

/** Sign in, or create an account and sign in. */
export function AuthPage(props: { onSignedIn: (user: User) => void }) {
  const [mode, setMode] = useState<'signin' | 'signup'>('signin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const submit = run(async () => {
    if (mode === 'signup') await api.register(email, password);
    const { token, user } = await api.login(email, password);
    session.set(token);
    props.onSignedIn(user);
  });

  return (
    <main class="container narrow">
      <hgroup>
        <h1>TradeTally API keys</h1>
        <p>Connect broker importers, dashboards and scripts to your trading journal, safely.</p>
      </hgroup>
      <form onSubmit={submit} aria-labelledby="auth-heading">
        <h2 id="auth-heading">{mode === 'signin' ? 'Sign in' : 'Create your account'}</h2>
        <label for="email">E-mail</label>
        <input id="email" type="email" autocomplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="password">Password {mode === 'signup' ? <small>({PASSWORD_MIN_LENGTH} characters or more)</small> : null}</label>
        <input
          id="password"
          type="password"
          autocomplete={mode === 'signin' ? 'current-password' : 'new-password'}
          required
          minLength={mode === 'signup' ? PASSWORD_MIN_LENGTH : 1}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <ErrorNote error={error} />
        <button type="submit" aria-busy={busy} disabled={busy}>
          {mode === 'signin' ? 'Sign in' : 'Create account'}
        </button>
      </form>
      <p>
        {mode === 'signin' ? 'New to TradeTally? ' : 'Have an account? '}
        <button type="button" class="link" onClick={() => setMode(mode === 'signin' ? 'signup' : 'signin')}>
          {mode === 'signin' ? 'Create an account' : 'Sign in'}
        </button>
      </p>
    </main>
  );
}
