import type { PopupState } from '@tradetally/contracts';
import { send } from '../shared/messages.js';

// The popup: recent detections, the signed-in user's keys that expire soon, and the settings page.
const app = document.getElementById('app') as HTMLElement;

function item(html: string): HTMLLIElement {
  const li = document.createElement('li');
  li.innerHTML = html;
  return li;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function render(state: PopupState): void {
  app.innerHTML = `<h1>TradeTally Keys</h1>
    <p id="account"></p>
    <h2>Recent detections</h2><ul id="detections"></ul>
    <h2>Your keys expiring soon</h2><ul id="expiring"></ul>
    <p><a id="settings" target="_blank" rel="noopener">Open API key settings</a> · <a href="#" id="options">Options</a></p>`;
  // Signed out after a browser restart or a session the API no longer accepts: say so, offer sign-in.
  const account = app.querySelector('#account') as HTMLElement;
  if (state.signedInAs) account.innerHTML = `Signed in as <strong>${escape(state.signedInAs)}</strong>`;
  else account.innerHTML = '<strong>Signed out.</strong> Warnings and reports still work. <a href="#" id="signin">Sign in</a>';
  app.querySelector('#signin')?.addEventListener('click', (event) => {
    event.preventDefault();
    void chrome.runtime.openOptionsPage();
  });
  const detections = app.querySelector('#detections') as HTMLElement;
  if (state.detections.length === 0) detections.append(item('<span class="muted">No TradeTally keys seen on a page yet.</span>'));
  for (const d of state.detections) {
    detections.append(
      item(
        `<code>${escape(d.prefix)}…${escape(d.last4)}</code> ${d.env} · ${escape(d.site)}<br><small>${new Date(d.time).toLocaleString()} · ${d.source} · ${d.action.replace('_', ' ')}</small>`,
      ),
    );
  }
  const expiring = app.querySelector('#expiring') as HTMLElement;
  if (!state.signedInAs) expiring.append(item('<span class="muted">Sign in (Options) to see your keys that expire within 7 days.</span>'));
  else if (state.expiringSoon.length === 0) expiring.append(item(`<span class="muted">None for ${escape(state.signedInAs)}.</span>`));
  for (const k of state.expiringSoon)
    expiring.append(
      item(`${escape(k.name)} <code>${escape(k.prefix)}…${escape(k.last4)}</code><br><small>expires ${new Date(k.expiresAt ?? '').toLocaleString()}</small>`),
    );
  (app.querySelector('#settings') as HTMLAnchorElement).href = state.settingsUrl;
  app.querySelector('#options')?.addEventListener('click', (event) => {
    event.preventDefault();
    void chrome.runtime.openOptionsPage();
  });
}

send({ type: 'get-popup-state' }).then(render, () => (app.textContent = 'The extension could not load its state.'));
