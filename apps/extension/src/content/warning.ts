import { displayApiKey } from '@tradetally/contracts';
import { t, tNodes } from '../shared/i18n.js';
import type { Found } from './scan.js';

/** What the warning's buttons do. */
export interface WarningActions {
  revoke(): Promise<string>;
  dismiss(): void;
}

// The host's visibility, layer and size are `!important` in the shadow root: across encapsulation
// contexts an important declaration of the inner context wins, so page CSS such as
// `tradetally-alert { opacity: 0 !important }` cannot make it invisible. The page can still move
// or remove the element; the badge and the system notification do not depend on it.
const STYLE = `
:host { all: initial; font: 14px/1.4 system-ui, sans-serif; color-scheme: light dark; }
:host { display: block !important; position: fixed !important; z-index: 2147483647 !important; width: 360px !important;
  max-width: calc(100vw - 16px) !important; opacity: 1 !important; visibility: visible !important; transform: none !important; filter: none !important;
  clip-path: none !important; pointer-events: auto !important; }
.box { box-sizing: border-box; background: #fff7ed; color: #431407; border: 2px solid #ea580c; border-radius: 8px; padding: 12px 14px; box-shadow: 0 6px 24px rgba(0,0,0,.25); }
.box.test { background: #eff6ff; color: #172554; border-color: #2563eb; }
strong { display: block; margin-bottom: 4px; }
code { font: 12px ui-monospace, monospace; background: rgba(0,0,0,.06); padding: 1px 4px; border-radius: 4px; }
.row { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 10px; }
button { font: inherit; font-size: 13px; border-radius: 6px; border: 1px solid #9a3412; background: #fff; color: #431407; padding: 4px 10px; cursor: pointer; }
button.primary { background: #c2410c; color: #fff; border-color: #c2410c; }
button:disabled { opacity: .6; cursor: default; }
.status { margin-top: 8px; font-weight: 600; }
.status:empty { display: none; }
@media (prefers-color-scheme: dark) {
  .box { background: #2a1408; color: #fed7aa; border-color: #f97316; box-shadow: 0 6px 24px rgba(0,0,0,.6); }
  .box.test { background: #0f1a33; color: #bfdbfe; border-color: #60a5fa; }
  code { background: rgba(255,255,255,.12); }
  button { background: #1c1917; color: #fed7aa; border-color: #fb923c; }
  button.primary { background: #ea580c; color: #fff; border-color: #ea580c; }
}
`;

/** The hosts this script made: the scanner skips these, and only these (never by tag name). */
const hosts = new WeakSet<Node>();

/** True for a warning host this content script created. */
export const isOwnHost = (node: Node): boolean => hosts.has(node);

let sheet: CSSStyleSheet | null | undefined;
let template: HTMLTemplateElement | null = null;

/** The warning's markup, parsed once per page and shared by every warning. */
function markup(): HTMLTemplateElement {
  if (!template) {
    template = document.createElement('template');
    template.innerHTML = `<div class="box" role="alert"><strong></strong><span class="text"></span>
      <div class="row"><button class="primary" data-action="revoke"></button><button data-action="dismiss"></button></div>
      <div class="status" aria-live="polite"></div></div>`;
  }
  return template;
}

/**
 * Styles the shadow root: one constructed sheet shared by every warning where the browser lets a
 * content script adopt it (Chromium); a `<style>` of its own elsewhere (Firefox refuses a sheet
 * made in the content script's compartment).
 */
function style(root: ShadowRoot): void {
  if (sheet === undefined) {
    try {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLE);
    } catch {
      sheet = null;
    }
  }
  if (sheet) {
    try {
      root.adoptedStyleSheets = [sheet];
      return;
    } catch {
      sheet = null;
    }
  }
  root.append(Object.assign(document.createElement('style'), { textContent: STYLE }));
}

const WHERE = { pasted: 'warningPasted', stopped: 'warningPasteStopped', input: 'warningEntered', page: 'warningShown' } as const;

/**
 * The in-page warning, in a closed shadow root: the page's styles cannot hide its text, and the
 * page's scripts cannot reach its text or buttons (`host.shadowRoot` is null to them). Its host
 * carries data-tradetally-alert="prefix…last4" for tests and page authors. It says the same, at
 * the same size, whoever owns the key: whether the key is the user's own is for the popup and the
 * notification, never for a page that could measure the warning. Ignoring the site is offered
 * only there too: a page can cover the warning with a decoy, not the extension's own UI.
 */
export function showWarning(
  found: Found,
  how: 'paste' | 'input' | 'page',
  anchor: Element | null,
  blocked: boolean,
  actions: WarningActions,
): { setStatus(text: string): void; remove(): void } {
  const host = document.createElement('tradetally-alert');
  host.setAttribute('data-tradetally-alert', displayApiKey(found));
  hosts.add(host);
  const root = host.attachShadow({ mode: 'closed' });
  const live = found.env === 'live';
  style(root);
  root.appendChild(markup().content.cloneNode(true));
  (root.querySelector('.box') as HTMLElement).classList.add(live ? 'live' : 'test');
  (root.querySelector('strong') as HTMLElement).textContent = t(live ? 'warningLiveTitle' : 'warningTestTitle');
  const code = Object.assign(document.createElement('code'), { textContent: displayApiKey(found) });
  const where = how === 'paste' ? (blocked ? WHERE.stopped : WHERE.pasted) : WHERE[how];
  (root.querySelector('.text') as HTMLElement).append(...tNodes(where, code), ...(live ? [' ', t('warningLiveRisk')] : []));
  (root.querySelector('[data-action="revoke"]') as HTMLElement).textContent = t('warningRevoke');
  (root.querySelector('[data-action="dismiss"]') as HTMLElement).textContent = t('warningDismiss');
  const status = root.querySelector('.status') as HTMLElement;
  const place = () => {
    const rect = anchor && anchor !== document.documentElement && anchor !== document.body ? anchor.getBoundingClientRect() : null;
    const top = rect ? Math.min(Math.max(rect.bottom + 6, 8), window.innerHeight - 160) : 16;
    const left = rect ? Math.min(Math.max(rect.left, 8), Math.max(8, window.innerWidth - 370)) : Math.max(8, window.innerWidth - 376);
    host.style.top = `${top}px`;
    host.style.left = `${left}px`;
  };
  // In the DOM at once, placed next to its field on the next frame: measuring the anchor now would
  // force a layout inside the paste handler.
  host.style.top = '16px';
  host.style.right = '16px';
  requestAnimationFrame(() => {
    host.style.right = '';
    place();
  });
  const remove = () => host.remove();
  root.addEventListener('click', (event) => {
    // Only a person's click (or Enter/Space on a focused button) acts: a page can dispatch clicks,
    // and one that dismissed the warning or revoked on its own would turn the extension against the user.
    if (!event.isTrusted) return;
    const action = (event.target as HTMLElement).closest('button')?.dataset.action;
    if (action === 'revoke') {
      const button = event.target as HTMLButtonElement;
      button.disabled = true;
      status.textContent = t('warningReporting');
      actions.revoke().then(
        (text) => (status.textContent = text),
        () => (status.textContent = t('errorUnreachable')),
      );
    } else if (action === 'dismiss') {
      actions.dismiss();
      remove();
    }
  });
  document.documentElement.appendChild(host);
  return { setStatus: (text) => (status.textContent = text), remove };
}
