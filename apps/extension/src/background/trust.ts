import { CONTENT_SCRIPT_MESSAGE_TYPES, type ExtensionMessage } from '@tradetally/contracts';

/** The parts of `chrome.runtime.MessageSender` that decide trust. */
export type Sender = Pick<chrome.runtime.MessageSender, 'id' | 'url' | 'origin' | 'tab'>;

/** This extension, as the checks need it: its id and its base URL (`chrome.runtime.getURL('')`). */
export interface Self {
  id: string;
  baseUrl: string;
}

/**
 * True when a message comes from one of this extension's own pages (popup, options), never from a
 * content script. Chrome sets `sender.url` and `sender.origin` from the sending frame's committed
 * document, which a web page cannot choose: a content script's sender has the page's URL. The
 * options page may run in a tab, so `sender.tab` alone decides nothing.
 */
export function isExtensionPage(sender: Sender, self: Self): boolean {
  if (sender.id !== self.id || !sender.url) return false;
  // `chrome-extension://<id>/`: a web page's URL cannot start with it. (Not `new URL().origin`,
  // which is "null" for this scheme outside Chrome.)
  if (!self.baseUrl.endsWith('/') || !sender.url.startsWith(self.baseUrl)) return false;
  // Chrome 80+ also names the origin; when present it must be the extension's own.
  return sender.origin === undefined || sender.origin === self.baseUrl.slice(0, -1);
}

/**
 * Whether the background may act on `type` from `sender` (security.md): this extension's content
 * scripts may only report what they found and ask for a report; everything else (sign in and out,
 * settings and the API address, the popup's state, history, the ignore list) needs an extension page.
 */
export function mayHandle(type: ExtensionMessage['type'], sender: Sender, self: Self): boolean {
  if (sender.id !== self.id) return false;
  return CONTENT_SCRIPT_MESSAGE_TYPES.has(type) || isExtensionPage(sender, self);
}
