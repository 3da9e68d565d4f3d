import {
  type Detection,
  type EffectiveSettings,
  type ExtensionSettings,
  type ManagedPolicy,
  ManagedPolicySchema,
  DEFAULT_EXTENSION_SETTINGS,
  effectiveSettings,
} from '@tradetally/contracts';
import { appendDetections } from './history.js';
import type { Session } from './session.js';
import type { DeviceToken } from './sign-in.js';
import { type TabState, emptyTab } from './tab-state.js';

// Where the service worker keeps things. chrome.storage.local: the user's settings, the detection
// history (display parts and fingerprints, never a key) and the device token. chrome.storage.session
// (trusted contexts only, emptied by a browser restart): the session token and each tab's state.
// chrome.storage.managed: what the organisation set.

const SESSION = 'session';
const DEVICE = 'device';
const tabName = (tabId: number) => `tab-${tabId}`;

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `task` after every earlier one: the handlers read, change and write the same records, and
 * fifty keys reported at once must not lose each other's updates (or slip past a bound) between
 * a read and a write. Nothing slow (no API call) runs inside.
 */
export function exclusive<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

async function loadManaged(): Promise<ManagedPolicy> {
  // Rejects where the browser has no managed storage for the extension (Firefox without a policy).
  const stored = (await chrome.storage.managed.get(null).catch(() => ({}))) as Record<string, unknown>;
  const policy: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(ManagedPolicySchema.shape)) {
    const parsed = schema.safeParse(stored[name]);
    if (parsed.success && parsed.data !== undefined) policy[name] = parsed.data;
  }
  return policy as ManagedPolicy;
}

// The first read of managed storage after the browser starts waits for its policies (about 3 s
// here), later ones take well under a millisecond: read once, ahead of the first message, and
// again only when the policy changes.
let managed: Promise<ManagedPolicy> | undefined;
chrome.storage.onChanged.addListener((_changes, area) => {
  if (area === 'managed') managed = undefined;
});

/** What the organisation set: each valid key of the policy (the browser checks it too; a bad value is skipped, not trusted). */
export const readManaged = (): Promise<ManagedPolicy> => (managed ??= loadManaged());

/** The user's settings, the organisation's, and the ones in force. */
export async function readSettings(): Promise<{ settings: ExtensionSettings; managed: ManagedPolicy; effective: EffectiveSettings }> {
  const [stored, managed] = await Promise.all([chrome.storage.local.get('settings'), readManaged()]);
  const settings = { ...DEFAULT_EXTENSION_SETTINGS, ...(stored.settings as Partial<ExtensionSettings> | undefined) };
  return { settings, managed, effective: effectiveSettings(settings, managed) };
}

export const writeSettings = (settings: ExtensionSettings) => chrome.storage.local.set({ settings });

export async function readHistory(): Promise<Detection[]> {
  return ((await chrome.storage.local.get('detections')).detections as Detection[] | undefined) ?? [];
}

/** Adds detections (in the order found) to the history; a full history takes none (history.ts). */
export async function addToHistory(fresh: Detection[]): Promise<void> {
  if (fresh.length) await chrome.storage.local.set({ detections: appendDetections(await readHistory(), fresh, Date.now()) });
}

/** Sets `action` on the newest record of the key on the site; false when the history has none. */
export async function markInHistory(fingerprint: string, site: string, action: Detection['action']): Promise<boolean> {
  const detections = await readHistory();
  const index = detections.findIndex((d) => d.fingerprint === fingerprint && d.site === site);
  if (index < 0) return false;
  detections[index] = { ...(detections[index] as Detection), action };
  await chrome.storage.local.set({ detections });
  return true;
}

export const clearHistory = () => chrome.storage.local.set({ detections: [] });

export async function readTab(tabId: number): Promise<TabState> {
  return { ...emptyTab(), ...((await chrome.storage.session.get(tabName(tabId)))[tabName(tabId)] as TabState | undefined) };
}

export const writeTab = (tabId: number, tab: TabState) => chrome.storage.session.set({ [tabName(tabId)]: tab });

export const dropTab = (tabId: number) => chrome.storage.session.remove(tabName(tabId));

export async function readSession(): Promise<Session | undefined> {
  return (await chrome.storage.session.get(SESSION))[SESSION] as Session | undefined;
}

export const writeSession = (session: Session) => chrome.storage.session.set({ [SESSION]: session });

export const dropSession = () => chrome.storage.session.remove(SESSION);

export const device = {
  read: async () => (await chrome.storage.local.get(DEVICE))[DEVICE] as DeviceToken | undefined,
  write: (token: DeviceToken) => chrome.storage.local.set({ [DEVICE]: token }),
};
