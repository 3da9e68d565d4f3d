import {
  type DetectionSource,
  type EffectiveSettings,
  type ExtensionSettings,
  type ManagedPolicy,
  blocksLivePastesOn,
  effectiveSettings,
  isIgnored,
} from '@tradetally/contracts';
import { t } from '../shared/i18n.js';
import { fingerprint } from '../shared/fingerprint.js';
import { send } from '../shared/messages.js';
import { reportUrl, siteOf } from '../shared/site.js';
import { type Found, StreamScanner, blockOf, keysIn } from './scan.js';
import { isOwnHost, showWarning } from './warning.js';

// The content script: watches pastes, typing and page text for TradeTally keys. Raw keys live
// only in this script's memory (for the "Revoke this key now" report and the owner lookup) and
// never in storage. The page may be hostile: it sees only the warning's host element, never its
// buttons, and the background accepts nothing from here but findings, reports, lookups and a
// trusted click's dismissal. Whatever the page does to the warning, the badge and the system
// notification come from the background, which hears of every key before the warning shows.

// The same name the background derives from this frame's sender, so the ignore list matches.
const site = siteOf(location.origin, location.href);
let user: Partial<ExtensionSettings> | undefined;
let managed: Partial<ManagedPolicy> | undefined;
let settings: EffectiveSettings = effectiveSettings(undefined, undefined);
const settingsLoaded: Promise<void> = Promise.all([
  chrome.storage.local.get('settings').then((stored) => (user = stored.settings as Partial<ExtensionSettings> | undefined)),
  // Rejects where the browser has no managed storage for the extension (Firefox without a policy).
  chrome.storage.managed.get(null).then(
    (stored) => (managed = stored as Partial<ManagedPolicy>),
    () => undefined,
  ),
]).then(
  () => void (settings = effectiveSettings(user, managed)),
  () => undefined, // the defaults then: a warning without settings beats none
);
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes.settings) user = changes.settings.newValue as Partial<ExtensionSettings> | undefined;
  else if (area === 'managed') void chrome.storage.managed.get(null).then((stored) => (managed = stored as Partial<ManagedPolicy>));
  else return;
  settings = effectiveSettings(user, managed);
  // Ignored from the popup, the options page or a notification: this page's warnings go at once.
  if (ignored()) for (const warning of warnings.values()) warning.remove();
});

const ignored = () => isIgnored(settings, site);

/** A key's fingerprint; a plain-http page's content script has no crypto.subtle, the worker always does. */
const fingerprintOf = (key: string): Promise<string> =>
  globalThis.crypto?.subtle ? fingerprint(key) : send({ type: 'fingerprint', key }).then((answer) => answer.fingerprint);

const warnings = new Map<string, ReturnType<typeof showWarning>>();
/** At most this many warnings on screen; an older one gives way (its key is still remembered, and counted by the badge). */
const MAX_VISIBLE = 3;
const visible: Array<ReturnType<typeof showWarning>> = [];

async function report(found: Found, source: 'paste' | 'page' | 'manual'): Promise<string> {
  const url = reportUrl(location.origin, location.pathname);
  const result = await send({ type: 'report-leak', key: found.key, source, ...(url ? { url } : {}) });
  if (!result.ok) return result.error ?? t('warningReportFailed');
  return t('warningReported');
}

/** Warns once per key and page, tells the background (fingerprints only), maybe reports at once. */
function handle(found: Found[], source: DetectionSource, anchor: Element | null, blocked = false): void {
  if (found.length === 0 || ignored()) return;
  const fresh = found.filter((f) => !warnings.has(f.key));
  if (fresh.length === 0) return;
  // The background first: its badge and notification must not wait for (or depend on) the warning.
  void Promise.all(fresh.map(async (f) => ({ prefix: f.prefix, last4: f.last4, env: f.env, fingerprint: await fingerprintOf(f.key) }))).then((keys) =>
    send({ type: 'keys-detected', source, keys }).catch(() => undefined),
  );
  for (const f of fresh) {
    const warning = showWarning(f, source, anchor, blocked, {
      revoke: () => report(f, source === 'page' ? 'page' : 'paste'),
      dismiss: () => void fingerprintOf(f.key).then((fp) => send({ type: 'record-action', fingerprint: fp, action: 'dismissed' })),
    });
    warnings.set(f.key, warning);
    // Signed in, the popup and the notification name the user's own key; the background budgets
    // lookups per tab, and the answer never comes back here.
    void send({ type: 'lookup-key', key: f.key }).catch(() => undefined);
    visible.push(warning);
    if (visible.length > MAX_VISIBLE) visible.shift()?.remove();
    if (source === 'page' && f.env === 'live' && settings.autoRevokePageKeys) {
      void report(f, 'page').then((text) => warning.setStatus(t('warningRevokedAutomatically', text)));
    }
  }
}

// 1. Pastes, in the capture phase at the window: before any handler of the page.
window.addEventListener(
  'paste',
  (event) => {
    if (ignored()) return;
    const text = event.clipboardData?.getData('text/plain') ?? '';
    if (!text.includes('tt_')) return;
    const found = keysIn(text);
    if (found.length === 0) return;
    const block = blocksLivePastesOn(settings, site) && found.some((f) => f.env === 'live');
    if (block) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
    handle(found, 'paste', event.target instanceof Element ? event.target : null, block);
  },
  true,
);

// 2. Typing, drops and autofill: whatever lands in a field is checked when the field changes.
function checkField(target: EventTarget | null): void {
  if (!(target instanceof Element) || ignored()) return;
  const editable = target.closest('[contenteditable=""], [contenteditable="true"], [contenteditable="plaintext-only"]');
  const value = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ? target.value : (editable?.textContent ?? '');
  if (value.includes('tt_')) handle(keysIn(value), 'input', target);
}
window.addEventListener('input', (event) => checkField(event.target), true);
window.addEventListener('change', (event) => checkField(event.target), true);
window.addEventListener('drop', (event) => setTimeout(() => checkField(event.target), 0), true);

// 3. Page text: one pass in slices of at most ~8 ms, then only what mutations change. Only the
// hosts this script made are skipped (their text sits in a closed shadow root anyway); an element
// of the page named like them is the page's own text and is read like any other.
const SLICE_MS = 8;
const skip = (node: Node) => {
  const parent = node.parentElement;
  return !parent || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(parent.tagName);
};

function scanPage(): void {
  const root = document.body ?? document.documentElement;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const scanner = new StreamScanner();
  // Where each block's text starts in the stream, to put a warning next to its key.
  let offset = 0;
  let blocks: Array<{ at: number; block: Element | null }> = [];
  let lastBlock: Element | null = null;
  const anchorOf = (key: string) => [...blocks].reverse().find((b) => b.block?.textContent?.includes(key))?.block ?? null;
  const step = () => {
    if (ignored()) return;
    const until = performance.now() + SLICE_MS;
    let piece = '';
    let node: Node | null = null;
    for (let n = 0; ; n++) {
      if ((n & 63) === 0 && performance.now() > until) break;
      node = walker.nextNode();
      if (!node) break;
      if (skip(node)) continue;
      const block = blockOf(node);
      if (block !== lastBlock) {
        piece += '\n';
        lastBlock = block;
        blocks.push({ at: offset + piece.length, block });
      }
      piece += (node as Text).data;
      if (piece.length > 1 << 18) break;
    }
    offset += piece.length;
    const found = node ? scanner.push(piece) : [...scanner.push(piece), ...scanner.end()];
    for (const f of found) handle([f], 'page', anchorOf(f.key));
    blocks = blocks.slice(-64);
    if (node) setTimeout(step, 0);
  };
  step();
}

const dirty = new Set<Node>();
let flushing = false;

/** Re-reads the blocks that mutations touched, in slices of at most ~8 ms. */
function flush(): void {
  const until = performance.now() + SLICE_MS;
  const blocks = new Set<Element>();
  for (const node of dirty) {
    dirty.delete(node);
    if (!node.isConnected || isOwnHost(node)) continue;
    const block = blockOf(node);
    // A change straight under <body> re-reads only the changed node, never the whole page.
    if (!block || block === document.body || block === document.documentElement) {
      const text = node.textContent ?? '';
      if (text.includes('tt_')) handle(keysIn(text), 'page', node instanceof Element ? node : node.parentElement);
    } else blocks.add(block);
    if (performance.now() > until) break;
  }
  for (const block of blocks) {
    const text = block.textContent ?? '';
    if (text.includes('tt_')) handle(keysIn(text), 'page', block);
  }
  if (dirty.size > 0) setTimeout(flush, 0);
  else flushing = false;
}

function watch(): void {
  new MutationObserver((records) => {
    if (ignored()) return;
    for (const record of records) {
      if (isOwnHost(record.target)) continue;
      if (record.type === 'characterData') dirty.add(record.target);
      for (const node of record.addedNodes) if (!isOwnHost(node)) dirty.add(node);
    }
    // Mutations are coalesced: one re-read per burst of changes.
    if (!flushing && dirty.size > 0) {
      flushing = true;
      setTimeout(() => void settingsLoaded.then(flush), 50);
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
}

// The first pass covers what the parser built; from then on, only what changes is re-read. It
// waits for the settings: the ignore list and "revoke automatically" must apply to a key that is
// in the page when it loads.
function start(): void {
  watch();
  void settingsLoaded.then(scanPage);
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
