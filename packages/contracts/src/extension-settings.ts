import type { ExtensionSettings } from './extension.js';

/** The settings a fresh install starts with (zod-free, so the content script stays small). */
export const DEFAULT_EXTENSION_SETTINGS: ExtensionSettings = {
  apiUrl: 'http://localhost:3000',
  blockLivePastes: false,
  autoRevokePageKeys: false,
  ignoredSites: [],
};
