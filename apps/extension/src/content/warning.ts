import type { Found } from './scan.js';

/** What the warning's buttons do. */
export interface WarningActions {
  revoke(): Promise<string>;
  ignoreSite(): void;
  dismiss(): void;
}

const STYLE = `
:host { all: initial; position: fixed; z-index: 2147483647; max-width: 360px; font: 14px/1.4 system-ui, sans-serif; }
.box { background: #fff7ed; color: #431407; border: 2px solid #ea580c; border-radius: 8px; padding: 12px 14px; box-shadow: 0 6px 24px rgba(0,0,0,.25); }
.box.test { background: #eff6ff; color: #172554; border-color: #2563eb; }
strong { display: block; margin-bottom: 4px; }
code { font: 12px ui-monospace, monospace; background: rgba(0,0,0,.06); padding: 1px 4px; border-radius: 4px; }
.row { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 10px; }
button { font: inherit; font-size: 13px; border-radius: 6px; border: 1px solid #9a3412; background: #fff; color: #431407; padding: 4px 10px; cursor: pointer; }
button.primary { background: #c2410c; color: #fff; border-color: #c2410c; }
button:disabled { opacity: .6; cursor: default; }
.status { margin-top: 8px; font-weight: 600; }
.owner { margin-top: 6px; font-weight: 600; }
.owner:empty { display: none; }
`;

/** The hosts this script made: the scanner skips these, and only these (never by tag name). */
const hosts = new WeakSet<Node>();

/** True for a warning host this content script created. */
export const isOwnHost = (node: Node): boolean => hosts.has(node);

let sheet: CSSStyleSheet | null = null;
let template: HTMLTemplateElement | null = null;

/** The warning's markup and styles, parsed once per page and shared by every warning. */
function parts(): { sheet: CSSStyleSheet; template: HTMLTemplateElement } {
  if (!sheet || !template) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    template = document.createElement('template');
    template.innerHTML = `<div class="box" role="alert"><strong></strong><span class="text"></span>
      <div class="owner"></div>
      <div class="row">
        <button class="primary" data-action="revoke">Revoke this key now</button>
        <button data-action="ignore">Ignore on this site</button>
        <button data-action="dismiss">Dismiss</button>
      </div>
      <div class="status" aria-live="polite"></div></div>`;
  }
  return { sheet, template };
}

/**
 * The in-page warning, in a closed shadow root: the page's styles cannot hide its text, and the
 * page's scripts cannot reach its text or buttons (`host.shadowRoot` is null to them). Its host
 * carries data-tradetally-alert="prefix…last4" for tests and page authors.
 */
export function showWarning(
  found: Found,
  how: 'paste' | 'input' | 'page',
  anchor: Element | null,
  blocked: boolean,
  actions: WarningActions,
): { setStatus(text: string): void; setOwner(text: string): void; remove(): void } {
  const host = document.createElement('tradetally-alert');
  host.setAttribute('data-tradetally-alert', `${found.prefix}…${found.last4}`);
  hosts.add(host);
  const root = host.attachShadow({ mode: 'closed' });
  const live = found.env === 'live';
  const where =
    how === 'paste'
      ? blocked
        ? 'was about to be pasted here. The paste was stopped.'
        : 'was pasted into this page.'
      : how === 'input'
        ? 'was entered into this page.'
        : 'is shown on this page.';
  const { sheet: styles, template: markup } = parts();
  root.adoptedStyleSheets = [styles];
  root.appendChild(markup.content.cloneNode(true));
  (root.querySelector('.box') as HTMLElement).classList.add(live ? 'live' : 'test');
  (root.querySelector('strong') as HTMLElement).textContent = live ? 'Live TradeTally API key exposed' : 'TradeTally test key seen';
  const text = root.querySelector('.text') as HTMLElement;
  text.append(
    `Your ${live ? 'live' : 'test'} key `,
    Object.assign(document.createElement('code'), { textContent: `${found.prefix}…${found.last4}` }),
    ` ${where} ${live ? 'Anyone who sees it can reach your trading journal.' : ''}`,
  );
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
    // and one that silenced the warning or revoked on its own would turn the extension against the user.
    if (!event.isTrusted) return;
    const action = (event.target as HTMLElement).closest('button')?.dataset.action;
    if (action === 'revoke') {
      const button = event.target as HTMLButtonElement;
      button.disabled = true;
      status.textContent = 'Reporting…';
      actions.revoke().then(
        (text) => (status.textContent = text),
        () => (status.textContent = 'Could not reach TradeTally; try again.'),
      );
    } else if (action === 'ignore') {
      actions.ignoreSite();
      remove();
    } else if (action === 'dismiss') {
      actions.dismiss();
      remove();
    }
  });
  document.documentElement.appendChild(host);
  const owner = root.querySelector('.owner') as HTMLElement;
  return { setStatus: (text) => (status.textContent = text), setOwner: (text) => (owner.textContent = text), remove };
}
