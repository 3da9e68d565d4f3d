import '@picocss/pico/css/pico.min.css';
import './styles.css';
import type { User } from '@tradetally/contracts';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, session } from './api/client.js';
import { AuthPage } from './pages/AuthPage.js';
import { KeysPage } from './pages/KeysPage.js';

function App() {
  const [user, setUser] = useState<User | null>(null);
  const [checking, setChecking] = useState(session.get() !== null);
  useEffect(() => {
    if (!session.get()) return;
    api.me().then(
      ({ user: me }) => setUser(me),
      () => session.clear(),
    ).finally(() => setChecking(false));
  }, []);
  if (checking) return <main class="container" aria-busy="true" />;
  if (!user) return <AuthPage onSignedIn={setUser} />;
  const signOut = () => {
    void api.logout().catch(() => undefined).finally(() => {
      session.clear();
      setUser(null);
    });
  };
  return <KeysPage user={user} onSignOut={signOut} />;
}

const root = document.getElementById('app');
if (root) render(<App />, root);
