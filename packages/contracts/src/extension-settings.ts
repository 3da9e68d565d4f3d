import type { ExtensionSettings, ManagedPolicy } from './extension.js';

// Zod-free (types only from extension.ts), so the content script stays small.

/** The settings a fresh install starts with. */
export const DEFAULT_EXTENSION_SETTINGS: ExtensionSettings = {
  apiUrl: 'http://localhost:3000',
  blockLivePastes: false,
  autoRevokePageKeys: false,
  ignoredSites: [],
};

/** The settings the extension acts on: the user's, with every value the organisation set in their place. */
export interface EffectiveSettings {
  apiUrl: string;
  /** The user's "block pastes of live keys" (everywhere). */
  blockLivePastes: boolean;
  /** Host patterns where the organisation always blocks a live key's paste. */
  blockLivePastesOn: string[];
  autoRevokePageKeys: boolean;
  /** False when the organisation forbids ignoring: no control offers it and no site is ignored. */
  allowIgnore: boolean;
  ignoredSites: string[];
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;

/**
 * The settings in force: a managed value wins over the user's. `user` and `managed` are what
 * chrome.storage holds (the browser checks a policy against `managed_schema.json`; a value of the
 * wrong type is still skipped here rather than trusted), so the content script and the service
 * worker decide alike.
 */
export function effectiveSettings(
  user: Partial<ExtensionSettings> | undefined,
  managed: Partial<Record<keyof ManagedPolicy, unknown>> | undefined,
): EffectiveSettings {
  const own = { ...DEFAULT_EXTENSION_SETTINGS, ...user };
  const policy = managed ?? {};
  const allowIgnore = policy.allowIgnore !== false;
  return {
    apiUrl: typeof policy.apiUrl === 'string' ? policy.apiUrl : own.apiUrl,
    blockLivePastes: own.blockLivePastes,
    blockLivePastesOn: strings(policy.blockLivePastesOn) ?? [],
    autoRevokePageKeys: typeof policy.autoRevoke === 'boolean' ? policy.autoRevoke : own.autoRevokePageKeys,
    allowIgnore,
    ignoredSites: allowIgnore ? own.ignoredSites : [],
  };
}

/**
 * Whether a host pattern names `host`: `*` every host, `*.example.com` example.com and every
 * subdomain (as in Chrome's match patterns), anything else that host exactly (case-insensitive).
 */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.trim().toLowerCase();
  const h = host.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) return h === p.slice(2) || h.endsWith(p.slice(1));
  return p === h;
}

/** Whether the paste of a live key is stopped on `site`: the user's switch, or an organisation's pattern. */
export const blocksLivePastesOn = (settings: EffectiveSettings, site: string): boolean =>
  settings.blockLivePastes || settings.blockLivePastesOn.some((pattern) => hostMatches(pattern, site));

/** Whether the extension stays silent on `site`. */
export const isIgnored = (settings: EffectiveSettings, site: string): boolean => settings.ignoredSites.includes(site);
