import type { DetectedKey, OwnKey } from '@tradetally/contracts';

// What the service worker remembers about one tab (chrome.storage.session: gone with the browser),
// and the bounds that keep a page full of generated valid-checksum keys from flooding the user.
// Pure functions: the handlers read the state, apply one of these, and write it back.

/** Detection records one page load may write to the history. */
export const RECORDS_PER_PAGE_LOAD = 20;

/** System notifications one tab may show per minute; live keys past that are counted on the tab's last one. */
export const NOTIFICATIONS_PER_MINUTE = 3;

/** Owner lookups one tab (all its frames together) may make per minute. */
export const LOOKUPS_PER_MINUTE = 10;

/** Keys of one page load listed in the popup; the badge counts past it. */
export const TAB_KEYS_KEPT = 200;

const MINUTE = 60_000;

/** A key found in a tab, and the site of the frame it was found in. */
export interface TabEntry extends DetectedKey {
  site: string;
}

/** One tab's state. Page-load parts reset on navigation; the rest lasts as long as the tab. */
export interface TabState {
  /** Keys found in this page load, each once, for the popup (at most TAB_KEYS_KEPT). */
  keys: TabEntry[];
  /** How many different keys this page load has shown: the badge. */
  found: number;
  /** Detection records this page load has written. */
  records: number;
  /** The signed-in user's own keys among them, by fingerprint. */
  owners: Record<string, OwnKey>;
  /** Fingerprints this page load has looked up (or was refused a lookup for). */
  lookedUp: string[];
  /** Live keys this tab has notified about, in its whole life: one notification per key per tab. */
  notified: string[];
  /** When this tab's notifications of the last minute were shown. */
  notifiedAt: number[];
  /** When this tab's lookups of the last minute went out. */
  lookedUpAt: number[];
  /** The tab's latest notification and how many live keys past the rate it counts. */
  last: { id: string; more: number } | null;
}

/** A tab nothing was found in yet. */
export const emptyTab = (): TabState => ({
  keys: [],
  found: 0,
  records: 0,
  owners: {},
  lookedUp: [],
  notified: [],
  notifiedAt: [],
  lookedUpAt: [],
  last: null,
});

/** The tab after a navigation: a new page load, the same tab (its notifications and lookups still count). */
export const newPageLoad = (tab: TabState): TabState => ({ ...tab, keys: [], found: 0, records: 0, owners: {}, lookedUp: [] });

const lastMinute = (times: number[], now: number) => times.filter((time) => now - time < MINUTE);

/** What to do about keys a frame of the tab reported. */
export interface Admitted {
  tab: TabState;
  /** New keys to write to the history (within this page load's bound). */
  record: DetectedKey[];
  /** New live keys that get a system notification of their own. */
  notify: TabEntry[];
  /** Set when live keys past the rate are to be counted on the tab's last notification. */
  more: { id: string; more: number } | null;
}

/**
 * Takes keys found on `site` in the tab. Each key counts once per page load (badge, popup, record)
 * and a live key is notified once per tab; at most RECORDS_PER_PAGE_LOAD records per page load and
 * NOTIFICATIONS_PER_MINUTE notifications per tab per minute, whichever frames the keys come from.
 */
export function admitKeys(state: TabState, keys: readonly DetectedKey[], site: string, now: number): Admitted {
  const tab: TabState = { ...state, keys: [...state.keys], notified: [...state.notified], notifiedAt: lastMinute(state.notifiedAt, now) };
  const known = new Set(tab.keys.map((k) => k.fingerprint));
  const record: DetectedKey[] = [];
  const notify: TabEntry[] = [];
  let more = 0;
  for (const key of keys) {
    if (known.has(key.fingerprint)) continue;
    known.add(key.fingerprint);
    tab.found++;
    if (tab.keys.length < TAB_KEYS_KEPT) tab.keys.push({ ...key, site });
    if (tab.records < RECORDS_PER_PAGE_LOAD) {
      tab.records++;
      record.push(key);
    }
    if (key.env !== 'live' || tab.notified.includes(key.fingerprint)) continue;
    tab.notified.push(key.fingerprint);
    if (tab.notifiedAt.length < NOTIFICATIONS_PER_MINUTE) {
      tab.notifiedAt.push(now);
      notify.push({ ...key, site });
    } else more++;
  }
  tab.notified = tab.notified.slice(-1000);
  if (more && tab.last) tab.last = { ...tab.last, more: tab.last.more + more };
  return { tab, record, notify, more: more && tab.last ? tab.last : null };
}

/** Whether one more record fits in this page load's bound (a revoke of a key the history has no record of). */
export function admitRecord(tab: TabState): { tab: TabState; allowed: boolean } {
  return tab.records < RECORDS_PER_PAGE_LOAD ? { tab: { ...tab, records: tab.records + 1 }, allowed: true } : { tab, allowed: false };
}

/** The tab after it showed notification `id` (the one later keys past the rate are counted on). */
export const notified = (tab: TabState, id: string): TabState => ({ ...tab, last: { id, more: 0 } });

/**
 * Whether the key with `fingerprint` may be looked up now: once per page load, and at most
 * LOOKUPS_PER_MINUTE per tab, all frames together (a page cannot multiply the budget with frames).
 */
export function admitLookup(state: TabState, fingerprint: string, now: number): { tab: TabState; allowed: boolean } {
  if (state.lookedUp.includes(fingerprint)) return { tab: state, allowed: false };
  const recent = lastMinute(state.lookedUpAt, now);
  const tab = { ...state, lookedUp: [...state.lookedUp, fingerprint].slice(-TAB_KEYS_KEPT), lookedUpAt: recent };
  if (recent.length >= LOOKUPS_PER_MINUTE) return { tab, allowed: false };
  return { tab: { ...tab, lookedUpAt: [...recent, now] }, allowed: true };
}

/** The badge's text: how many keys this page load has shown. */
export const badgeText = (tab: TabState): string => (tab.found === 0 ? '' : tab.found > 999 ? '999+' : String(tab.found));
