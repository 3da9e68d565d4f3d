import { DEFAULT_EXTENSION_SETTINGS, type DetectionSource, type ExtensionSettings } from '@tradetally/contracts';
import { send } from '../shared/messages.js';
import { reportUrl, siteOf } from '../shared/site.js';
import { describeOwnKey } from './own-key.js';
import { type Found, StreamScanner, blockOf, fingerprint, keysIn } from './scan.js';
import { isOwnHost, showWarning } from './warning.js';

// The content script: watches pastes, typing and page text for TradeTally keys. Raw keys live
// only in this script's memory (for the "Revoke this key now" report) and never in storage. The
// page may be hostile: it sees only the warning's host element, never its buttons, and the
// background accepts nothing from here but findings, reports, questions about a key it found and
// a trusted click's choice.

// The same name the background derives from this frame's sender, so the ignore list matches.
const site = siteOf(location.origin, location.href);
let settings: ExtensionSettings = DEFAULT_EXTENSION_SETTINGS;
const settingsLoaded: Promise<void> = chrome.storage.local.get('settings').then(
  (stored) => {
    settings = { ...DEFAULT_EXTENSION_SETTINGS, ...(stored.settings as Partial<ExtensionSettings> | undefined) };
  },
  () => undefined, // the defaults then: a warning without settings beats none
);
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes.settings) settings = { ...DEFAULT_EXTENSION_SETTINGS, ...(changes.settings.newValue as Partial<ExtensionSettings>) };
});

const ignored = () => settings.ignoredSites.includes(site);

/** A key's fingerprint; a plain-http page's content script has no crypto.subtle, the worker always does. */
const fingerprintOf = (key: string): Promise<string> =>
  globalThis.crypto?.subtle ? fingerprint(key) : send({ type: 'fingerprint', key }).then((answer) => answer.fingerprint);

/** Lookups per page at most: a page full of fake keys (valid checksums are free) gets no more API calls. */
const MAX_LOOKUPS = 10;
let lookups = 0;

const warnings = new Map<string, ReturnType<typeof showWarning>>();
/** At most this many warnings on screen; an older one gives way (its key is still remembered). */
const MAX_VISIBLE = 3;
const visible: Array<ReturnType<typeof showWarning>> = [];

async function report(found: Found, source: 'paste' | 'page' | 'manual'): Promise<string> {
  const url = reportUrl(location.origin, location.pathname);
  const result = await send({ type: 'report-leak', key: found.key, source, ...(url ? { url } : {}) });
  if (!result.ok) return result.error ?? 'The report failed.';
  return 'Reported: TradeTally revoked the key if it was active. Create a new key in your settings.';
}

/** Warns once per key and page, tells the background (fingerprints only), maybe reports at once. */
function handle(found: Found[], source: DetectionSource, anchor: Element | null, blocked = false): void {
  if (found.length === 0 || ignored()) return;
  const fresh = found.filter((f) => !warnings.has(f.key));
  for (const f of fresh) {
    const warning = showWarning(f, source, anchor, blocked, {
      revoke: () => report(f, source === 'page' ? 'page' : 'paste'),
      ignoreSite: () => {
        for (const w of warnings.values()) w.remove();
        void send({ type: 'ignore-this-site' });
      },
      dismiss: () => void fingerprintOf(f.key).then((fp) => send({ type: 'record-action', fingerprint: fp, action: 'dismissed' })),
    });
    warnings.set(f.key, warning);
    // Signed in, the warning names the user's own key; asked once per key for the page's life.
    if (lookups++ < MAX_LOOKUPS)
      void send({ type: 'lookup-key', key: f.key }).then(
        (own) => own && warning.setOwner(describeOwnKey(own)),
        () => undefined,
      );
    visible.push(warning);
    if (visible.length > MAX_VISIBLE) visible.shift()?.remove();
    if (source === 'page' && f.env === 'live' && settings.autoRevokePageKeys) {
      void report(f, 'page').then((text) => warning.setStatus(`Revoked automatically. ${text}`));
    }
  }
  if (fresh.length === 0) return;
  void Promise.all(fresh.map(async (f) => ({ prefix: f.prefix, last4: f.last4, env: f.env, fingerprint: await fingerprintOf(f.key) }))).then((keys) =>
    send({ type: 'keys-detected', source, keys }).catch(() => undefined),
  );
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
    const block = settings.blockLivePastes && found.some((f) => f.env === 'live');
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
