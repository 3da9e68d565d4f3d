import {
  DEFAULT_EXTENSION_SETTINGS,
  type ApiKey,
  type Detection,
  type ExtensionMessage,
  ExtensionMessageSchema,
  type ExtensionResponses,
  type ExtensionSettings,
  type LoginRequest,
  type LoginResponse,
  type Page,
} from '@tradetally/contracts';
import { siteOf } from '../shared/site.js';
import { createApi } from './api.js';
import { type Session, originOf, sessionFor } from './session.js';
import { type Sender, mayHandle } from './trust.js';

// The background service worker. Listeners are registered at the top level, because MV3 may stop
// the worker at any time and wakes it by replaying events to top-level listeners. Settings, the
// ignore list and detections live in chrome.storage.local; detections hold a key's prefix, last4
// and SHA-256 fingerprint only — never the key. The session token lives only in
// chrome.storage.session, which content scripts cannot read and a browser restart empties.

const MAX_DETECTIONS = 200;
const SESSION = 'session';
const self = { id: chrome.runtime.id, baseUrl: chrome.runtime.getURL('') };

// TRUSTED_CONTEXTS is the default; setting it again undoes any earlier widening, which Chrome keeps
// across restarts.
chrome.storage.session.setAccessLevel({ accessLevel: chrome.storage.AccessLevel.TRUSTED_CONTEXTS }).catch(() => undefined);

interface Stored {
  settings?: Partial<ExtensionSettings>;
  detections?: Detection[];
  notified?: string[];
}

async function load(): Promise<{ settings: ExtensionSettings; detections: Detection[]; notified: string[] }> {
  const stored = (await chrome.storage.local.get(['settings', 'detections', 'notified'])) as Stored;
  return { settings: { ...DEFAULT_EXTENSION_SETTINGS, ...stored.settings }, detections: stored.detections ?? [], notified: stored.notified ?? [] };
}

async function readSession(): Promise<Session | undefined> {
  return ((await chrome.storage.session.get(SESSION)) as { [SESSION]?: Session })[SESSION];
}

const dropSession = () => chrome.storage.session.remove(SESSION);

const api = createApi({
  fetch: (input, init) => fetch(input, init),
  apiUrl: async () => (await load()).settings.apiUrl,
  session: { read: readSession, drop: dropSession },
});

async function record(detection: Detection): Promise<void> {
  const { detections } = await load();
  await chrome.storage.local.set({ detections: [detection, ...detections].slice(0, MAX_DETECTIONS) });
}

async function ignore(site: string): Promise<void> {
  const { settings } = await load();
  if (!settings.ignoredSites.includes(site)) settings.ignoredSites.push(site);
  await chrome.storage.local.set({ settings });
}

async function signOut(): Promise<void> {
  const session = await readSession();
  if (!session) return;
  await dropSession();
  // Ends it on the server too, at the origin that issued it (never at a new address).
  await fetch(new URL('/v1/auth/logout', session.origin), { method: 'POST', headers: { authorization: `Bearer ${session.token}` } }).catch(() => undefined);
}

/** SHA-256 of a key, hex: recomputed here rather than taken from the content script's word. */
async function fingerprint(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Keys seen per tab, for the badge (session storage: survives the worker, not the browser). */
async function countForTab(tabId: number, fingerprints: string[]): Promise<number> {
  const name = `tab-${tabId}`;
  const stored = (await chrome.storage.session.get(name))[name] as string[] | undefined;
  const all = [...new Set([...(stored ?? []), ...fingerprints])];
  await chrome.storage.session.set({ [name]: all });
  return all.length;
}

/** The site a message speaks for: always the sending frame's own, never a name the message carries. */
const senderSite = (sender: Sender) => siteOf(sender.origin, sender.url);

type Handlers = {
  [T in ExtensionMessage['type']]: (message: Extract<ExtensionMessage, { type: T }>, sender: chrome.runtime.MessageSender) => Promise<ExtensionResponses[T]>;
};

const handlers: Handlers = {
  'keys-detected': async (message, sender) => {
    const { settings, notified } = await load();
    const site = senderSite(sender);
    const ignored = settings.ignoredSites.includes(site);
    if (!ignored) {
      const time = new Date().toISOString();
      for (const key of message.keys) await record({ ...key, site, time, source: message.source, action: 'warned' });
      const tabId = sender.tab?.id;
      if (tabId !== undefined) {
        const count = await countForTab(
          tabId,
          message.keys.map((k) => k.fingerprint),
        );
        await chrome.action.setBadgeText({ tabId, text: String(count) });
        await chrome.action.setBadgeBackgroundColor({ tabId, color: '#c2410c' });
      }
      // A system notification for a live key, once per key and site.
      const fresh = message.keys.filter((k) => k.env === 'live' && !notified.includes(`${site}|${k.fingerprint}`));
      for (const key of fresh) {
        void chrome.notifications.create(`tt-${key.fingerprint.slice(0, 16)}-${Date.now()}`, {
          type: 'basic',
          iconUrl: chrome.runtime.getURL('icon-128.png'),
          title: 'Live TradeTally key exposed',
          message: `${key.prefix}…${key.last4} appeared on ${site}. Open the page's warning to revoke it.`,
        });
      }
      if (fresh.length) await chrome.storage.local.set({ notified: [...notified, ...fresh.map((k) => `${site}|${k.fingerprint}`)].slice(-1000) });
    }
    // Only what the content script needs: the settings (the ignore list) are no business of a page's.
    return { ignored };
  },
  'report-leak': async (message, sender) => {
    const body = JSON.stringify({ key: message.key, source: message.source, ...(message.url && /^https?:\/\//.test(message.url) ? { url: message.url } : {}) });
    try {
      const answer = await api.reportLeak<{ received: boolean; revoked?: string[] }>(body);
      if (!answer.ok) return { ok: false, error: `TradeTally answered ${answer.status}.` };
      const parts = {
        prefix: message.key.slice(0, 12),
        last4: message.key.slice(-4),
        env: message.key.startsWith('tt_live_') ? ('live' as const) : ('test' as const),
      };
      await record({
        ...parts,
        fingerprint: await fingerprint(message.key),
        site: senderSite(sender),
        time: new Date().toISOString(),
        source: message.source === 'page' ? 'page' : 'paste',
        action: 'revoked',
      });
      return { ok: true, ...(answer.body?.revoked ? { revoked: answer.body.revoked } : {}) };
    } catch {
      return { ok: false, error: 'Could not reach TradeTally at the configured API address.' };
    }
  },
  'record-action': async (message, sender) => {
    const { detections } = await load();
    const site = senderSite(sender);
    const index = detections.findIndex((d) => d.fingerprint === message.fingerprint && d.site === site);
    if (index >= 0) detections[index] = { ...(detections[index] as Detection), action: message.action };
    await chrome.storage.local.set({ detections });
    return { ok: true };
  },
  'ignore-this-site': async (_message, sender) => {
    await ignore(senderSite(sender));
    return { ok: true };
  },
  fingerprint: async (message) => ({ fingerprint: await fingerprint(message.key) }),
  'lookup-key': async (message) => {
    const { settings } = await load();
    if (!sessionFor(await readSession(), settings.apiUrl)) return null; // signed out: a warning names no owner
    const answer = await api.request<ApiKey>('/v1/api-keys/lookup', { method: 'POST', body: JSON.stringify({ key: message.key }) }).catch(() => null);
    if (!answer?.ok || !answer.body) return null; // 404: not the user's key; anything else: warn as usual
    const { name, scope, environment, status, lastUsedAt } = answer.body;
    return { name, scope, environment, status, lastUsedAt };
  },
  'ignore-site': async (message) => {
    await ignore(message.site);
    return { ok: true };
  },
  'get-settings': async () => (await load()).settings,
  'update-settings': async (message) => {
    const settings = { ...(await load()).settings, ...message.settings };
    const session = await readSession();
    // The token goes only to the origin that issued it: a new API address signs out.
    if (session && originOf(settings.apiUrl) !== session.origin) await signOut();
    await chrome.storage.local.set({ settings });
    return settings;
  },
  'sign-in': async (message) => {
    await signOut();
    const { settings } = await load();
    const origin = originOf(settings.apiUrl);
    if (!origin) return { ok: false, error: 'The API address is not an http(s) address.' };
    const login: LoginRequest = { email: message.email, password: message.password, client: 'extension' };
    const answer = await api
      .request<LoginResponse & { detail?: string; title?: string }>('/v1/auth/login', { method: 'POST', body: JSON.stringify(login) }, true)
      .catch(() => null);
    if (!answer) return { ok: false, error: 'Could not reach TradeTally at the configured API address.' };
    if (!answer.ok || !answer.body)
      return { ok: false, error: answer.body?.detail ?? answer.body?.title ?? `Could not sign in (TradeTally answered ${answer.status}).` };
    const session: Session = { token: answer.body.token, email: answer.body.user.email, origin };
    await chrome.storage.session.set({ [SESSION]: session });
    return { ok: true, email: session.email };
  },
  'sign-out': async () => {
    await signOut();
    return { ok: true };
  },
  'get-popup-state': async () => {
    const { settings, detections } = await load();
    let expiringSoon: ApiKey[] = [];
    if (sessionFor(await readSession(), settings.apiUrl)) {
      const answer = await api.request<Page<ApiKey>>('/v1/api-keys?status=active&limit=200').catch(() => null);
      const soon = Date.now() + 7 * 86_400_000;
      expiringSoon = answer?.ok ? (answer.body?.data ?? []).filter((k) => k.expiresAt && Date.parse(k.expiresAt) <= soon) : [];
    }
    // Read after the request: a 401 above has just signed the extension out.
    const session = sessionFor(await readSession(), settings.apiUrl);
    return { detections: detections.slice(0, 20), signedInAs: session?.email ?? null, expiringSoon, settingsUrl: new URL('/', settings.apiUrl).toString() };
  },
  'clear-history': async () => {
    await chrome.storage.local.set({ detections: [], notified: [] });
    return { ok: true };
  },
};

chrome.runtime.onMessage.addListener((raw: unknown, sender, reply) => {
  if (sender.id !== chrome.runtime.id) return false;
  const parsed = ExtensionMessageSchema.safeParse(raw);
  if (!parsed.success) return false;
  const message = parsed.data;
  // Content scripts run in pages that may be hostile (or in a compromised renderer): they only
  // report; settings, the account and history answer to the extension's own pages alone.
  if (!mayHandle(message.type, sender, self)) {
    reply({ ok: false, error: 'This message is accepted only from the extension’s own pages.' });
    return false;
  }
  const handler = handlers[message.type] as (m: ExtensionMessage, s: chrome.runtime.MessageSender) => Promise<unknown>;
  handler(message, sender).then(reply, (error: Error) => reply({ ok: false, error: error.message }));
  return true; // the answer comes asynchronously
});

chrome.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status === 'loading') void chrome.storage.session.remove(`tab-${tabId}`);
});

chrome.runtime.onInstalled.addListener(() => {
  // Earlier versions kept the session in chrome.storage.local, where content scripts can read it.
  void chrome.storage.local.remove('session');
  void chrome.storage.local.get('settings').then((stored) => {
    if (!stored.settings) void chrome.storage.local.set({ settings: DEFAULT_EXTENSION_SETTINGS });
  });
});
