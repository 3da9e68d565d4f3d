import type { ExtensionMessage } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { type Sender, isExtensionPage, mayHandle } from './trust.js';

const self = { id: 'mlofkhddmmdibghmjdjchcffckafnjfh', baseUrl: 'chrome-extension://mlofkhddmmdibghmjdjchcffckafnjfh/' };
const tab = { id: 7 } as chrome.tabs.Tab;

/** Senders as Chrome describes them (runtime.MessageSender). */
const senders = {
  popup: { id: self.id, url: `${self.baseUrl}src/popup/index.html`, origin: 'chrome-extension://mlofkhddmmdibghmjdjchcffckafnjfh' },
  optionsInTab: { id: self.id, url: `${self.baseUrl}src/options/index.html`, origin: 'chrome-extension://mlofkhddmmdibghmjdjchcffckafnjfh', tab },
  contentScript: { id: self.id, url: 'https://phish.example/login', origin: 'https://phish.example', tab },
  sandboxedFrame: { id: self.id, url: 'https://phish.example/frame', origin: 'null', tab },
  // A page cannot pick its URL's scheme: one that names our URL in its path is still a web page.
  lookalikePath: { id: self.id, url: `https://phish.example/${self.baseUrl}`, origin: 'https://phish.example', tab },
  otherExtension: {
    id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    url: 'chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/page.html',
    origin: 'chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  },
  ourUrlOtherId: { id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', url: `${self.baseUrl}src/options/index.html` },
  originMismatch: { id: self.id, url: `${self.baseUrl}src/options/index.html`, origin: 'https://phish.example' },
  noUrl: { id: self.id },
} satisfies Record<string, Sender>;

const privileged: Array<ExtensionMessage['type']> = [
  'sign-in',
  'sign-out',
  'update-settings',
  'get-settings',
  'get-popup-state',
  'clear-history',
  'ignore-site',
];
const fromContent: Array<ExtensionMessage['type']> = ['keys-detected', 'report-leak', 'record-action', 'fingerprint', 'lookup-key'];

describe('isExtensionPage', () => {
  it('accepts the popup, and the options page even when it runs in a tab', () => {
    expect(isExtensionPage(senders.popup, self)).toBe(true);
    expect(isExtensionPage(senders.optionsInTab, self)).toBe(true);
  });

  it('refuses content scripts, opaque frames, other extensions and senders whose URL or origin is not ours', () => {
    for (const name of ['contentScript', 'sandboxedFrame', 'lookalikePath', 'otherExtension', 'ourUrlOtherId', 'originMismatch', 'noUrl'] as const) {
      expect(isExtensionPage(senders[name], self), name).toBe(false);
    }
  });
});

describe('mayHandle', () => {
  it('refuses every privileged message from a content script', () => {
    for (const type of privileged) expect(mayHandle(type, senders.contentScript, self), type).toBe(false);
    for (const type of privileged) expect(mayHandle(type, senders.sandboxedFrame, self), type).toBe(false);
  });

  it('accepts privileged messages from the extension pages', () => {
    for (const type of privileged) expect(mayHandle(type, senders.optionsInTab, self), type).toBe(true);
  });

  it('lets a content script report findings and ask for a report, and nothing from another extension', () => {
    for (const type of fromContent) expect(mayHandle(type, senders.contentScript, self), type).toBe(true);
    for (const type of fromContent) expect(mayHandle(type, senders.otherExtension, self), type).toBe(false);
  });
});
