import type { ExtensionMessage, ExtensionResponses } from '@tradetally/contracts';

/** Sends a typed message to the background service worker and returns its typed answer. */
export function send<M extends ExtensionMessage>(message: M): Promise<ExtensionResponses[M['type']]> {
  return chrome.runtime.sendMessage(message) as Promise<ExtensionResponses[M['type']]>;
}
