import type { ExtensionSettings } from '@tradetally/contracts';
import { send } from '../shared/messages.js';

// Options: the API address, sign in / out, ignored sites, paste blocking, automatic revocation, history.
const app = document.getElementById('app') as HTMLElement;
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function render(note = ''): Promise<void> {
  const settings: ExtensionSettings = await send({ type: 'get-settings' });
  const state = await send({ type: 'get-popup-state' }).catch(() => null);
  app.innerHTML = `<h1>TradeTally Keys options</h1>
    <p class="muted">${escape(note)}</p>
    <h2>TradeTally</h2>
    <form id="api"><label for="apiUrl">API address</label><input id="apiUrl" type="url" required value="${escape(settings.apiUrl)}"><button>Save address</button></form>
    ${
      state?.signedInAs
        ? `<p>Signed in as <strong>${escape(state.signedInAs)}</strong>. <button id="signout" class="plain">Sign out</button></p>`
        : `<p id="signed-out">Signed out. Signing in shows which of your keys a warning names and which expire soon; warnings and reports work without it. The session ends when the browser closes.</p>
         <form id="signin"><label for="email">E-mail</label><input id="email" type="email" required autocomplete="username">
         <label for="password">Password</label><input id="password" type="password" required autocomplete="current-password"><button>Sign in</button></form>`
    }
    <h2>Protection</h2>
    <label class="check"><input type="checkbox" id="block" ${settings.blockLivePastes ? 'checked' : ''}> <span>Block pastes of live keys <small>(the paste is stopped and you are told why)</small></span></label>
    <label class="check"><input type="checkbox" id="auto" ${settings.autoRevokePageKeys ? 'checked' : ''}> <span>Revoke live keys found in page content automatically <small>(reports them to TradeTally without a click)</small></span></label>
    <h2>Ignored sites</h2>
    <ul id="ignored">${settings.ignoredSites.map((site) => `<li>${escape(site)} <button class="plain" data-site="${escape(site)}">Stop ignoring</button></li>`).join('') || '<li class="muted">None.</li>'}</ul>
    <h2>History</h2>
    <p class="muted">Detections keep a key's prefix, last four characters and a SHA-256 fingerprint — never the key.</p>
    <button id="clear" class="plain">Clear history</button>`;

  app.querySelector('#api')?.addEventListener('submit', (event) => {
    event.preventDefault();
    const apiUrl = (app.querySelector('#apiUrl') as HTMLInputElement).value;
    const wasSignedIn = state?.signedInAs;
    void send({ type: 'update-settings', settings: { apiUrl } })
      .then(() => send({ type: 'get-popup-state' }).catch(() => null))
      .then((after) =>
        render(wasSignedIn && !after?.signedInAs ? 'Saved. Signed out: your session belongs to the previous address; sign in again here.' : 'Saved.'),
      );
  });
  app.querySelector('#signin')?.addEventListener('submit', (event) => {
    event.preventDefault();
    const email = (app.querySelector('#email') as HTMLInputElement).value;
    const password = (app.querySelector('#password') as HTMLInputElement).value;
    void send({ type: 'sign-in', email, password }).then((r) => render(r.ok ? `Signed in as ${r.email}.` : (r.error ?? 'Could not sign in.')));
  });
  app.querySelector('#signout')?.addEventListener('click', () => void send({ type: 'sign-out' }).then(() => render('Signed out.')));
  app
    .querySelector('#block')
    ?.addEventListener('change', (e) => void send({ type: 'update-settings', settings: { blockLivePastes: (e.target as HTMLInputElement).checked } }));
  app
    .querySelector('#auto')
    ?.addEventListener('change', (e) => void send({ type: 'update-settings', settings: { autoRevokePageKeys: (e.target as HTMLInputElement).checked } }));
  for (const button of app.querySelectorAll<HTMLButtonElement>('#ignored button')) {
    button.addEventListener('click', () => {
      const ignoredSites = settings.ignoredSites.filter((s) => s !== button.dataset.site);
      void send({ type: 'update-settings', settings: { ignoredSites } }).then(() => render('Updated.'));
    });
  }
  app.querySelector('#clear')?.addEventListener('click', () => void send({ type: 'clear-history' }).then(() => render('History cleared.')));
}

void render();
