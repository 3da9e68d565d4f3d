import '@picocss/pico/css/pico.min.css';
import './styles.css';
import type { User } from '@tradetally/contracts';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, session } from './api/client.js';
import { AuthPage } from './pages/AuthPage.js';
import { KeysPage } from './pages/keys/KeysPage.js';
import { VerifyEmailPage } from './pages/VerifyEmailPage.js';

/** The confirmation link's token, when this page was opened from one. */
const verifyToken = location.pathname === '/verify-email' ? new URLSearchParams(location.search).get('token') : null;

function App() {
  const [verifying, setVerifying] = useState(verifyToken);
  const [user, setUser] = useState<User | null>(null);
  const [checking, setChecking] = useState(session.get() !== null);
  useEffect(() => {
    if (!session.get()) return;
    api
      .me()
      .then(
        ({ user: me }) => setUser(me),
        () => session.clear(),
      )
      .finally(() => setChecking(false));
  }, []);
  if (verifying) {
    // The user is read again before the keys page shows, so it never opens on the banner of the
    // address just confirmed (the first read may have answered before the confirmation).
    const done = () => {
      history.replaceState(null, '', '/');
      const reread = session.get()
        ? api.me().then(
            ({ user: me }) => setUser(me),
            () => undefined,
          )
        : Promise.resolve();
      void reread.finally(() => setVerifying(null));
    };
    return <VerifyEmailPage token={verifying} onDone={done} />;
  }
  if (checking) return <main class="container" aria-busy="true" />;
  if (!user) return <AuthPage onSignedIn={setUser} />;
  const signOut = () => {
    void api
      .logout()
      .catch(() => undefined)
      .finally(() => {
        session.clear();
        setUser(null);
      });
  };
  return <KeysPage user={user} onSignOut={signOut} />;
}

const root = document.getElementById('app');
if (root) render(<App />, root);
