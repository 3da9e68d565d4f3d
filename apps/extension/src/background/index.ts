import {
  type ApiKey,
  DEFAULT_EXTENSION_SETTINGS,
  type Detection,
  type ExtensionMessage,
  ExtensionMessageSchema,
  type ExtensionResponses,
  type OwnKey,
  type Page,
  type SettingsView,
  isExpiringSoon,
  isIgnored,
  parseApiKey,
} from '@tradetally/contracts';
import { fingerprint } from '../shared/fingerprint.js';
import { t } from '../shared/i18n.js';
import { siteOf } from '../shared/site.js';
import { createApi } from './api.js';
import { historyFull } from './history.js';
import { countMore, nameOwner, notificationId, notificationTarget, notifyKey } from './notify.js';
import { originOf, sessionFor } from './session.js';
import { signIn } from './sign-in.js';
import * as store from './store.js';
import { admitKeys, admitLookup, admitRecord, badgeText, newPageLoad, notified } from './tab-state.js';
import { type Sender, mayHandle } from './trust.js';

// The background service worker. Listeners are registered at the top level, because MV3 may stop
// the worker at any time and wakes it by replaying events to top-level listeners (Firefox runs
// the same file as an event page). What lives where: store.ts. The flood bounds: tab-state.ts.

const self = { id: chrome.runtime.id, baseUrl: chrome.runtime.getURL('') };

// TRUSTED_CONTEXTS is the default; setting it again undoes any earlier widening, which Chrome keeps
// across restarts. Firefox has no setAccessLevel: its session storage is never exposed to content scripts.
chrome.storage.session.setAccessLevel?.({ accessLevel: chrome.storage.AccessLevel.TRUSTED_CONTEXTS }).catch(() => undefined);

void store.readManaged(); // ahead of the first message (store.ts)

const api = createApi({
  fetch: (input, init) => fetch(input, init),
  apiUrl: async () => (await store.readSettings()).effective.apiUrl,
  session: { read: store.readSession, drop: store.dropSession },
});

async function signOut(): Promise<void> {
  const session = await store.readSession();
  if (!session) return;
  await store.dropSession();
  // Ends it on the server too, at the origin that issued it (never at a new address).
  await fetch(new URL('/v1/auth/logout', session.origin), { method: 'POST', headers: { authorization: `Bearer ${session.token}` } }).catch(() => undefined);
}

/** Stops warning on `site`, unless the organisation forbids ignoring. */
async function ignoreSite(site: string): Promise<ExtensionResponses['ignore-site']> {
  return store.exclusive(async () => {
    const { settings, effective } = await store.readSettings();
    if (!effective.allowIgnore) return { ok: false, error: t('errorIgnoreNotAllowed') };
    if (!settings.ignoredSites.includes(site)) await store.writeSettings({ ...settings, ignoredSites: [...settings.ignoredSites, site] });
    return { ok: true };
  });
}

async function settingsView(): Promise<SettingsView> {
  const { settings, managed } = await store.readSettings();
  return { settings, managed };
}

/** The site a message speaks for: always the sending frame's own, never a name the message carries. */
const senderSite = (sender: Sender) => siteOf(sender.origin, sender.url);

/** The tab a content script's message comes from; -1 (one shared budget) for a frame outside any tab. */
const senderTab = (sender: Sender) => sender.tab?.id ?? -1;

type Handlers = {
  [T in ExtensionMessage['type']]: (message: Extract<ExtensionMessage, { type: T }>, sender: chrome.runtime.MessageSender) => Promise<ExtensionResponses[T]>;
};

const handlers: Handlers = {
  // Everything the alarm needs happens here, before and whatever the page does to its warning:
  // the record, the badge and the notification (bounded per tab: tab-state.ts).
  'keys-detected': async (message, sender) => {
    const site = senderSite(sender);
    const tabId = senderTab(sender);
    const outcome = await store.exclusive(async () => {
      const { effective } = await store.readSettings();
      if (isIgnored(effective, site)) return null;
      const admitted = admitKeys(await store.readTab(tabId), message.keys, site, Date.now());
      const time = new Date().toISOString();
      await store.addToHistory(admitted.record.map((key): Detection => ({ ...key, site, time, source: message.source, action: 'warned' })));
      const tab = admitted.notify.reduce((state, key) => notified(state, notificationId(tabId, key.site, key.fingerprint)), admitted.tab);
      await store.writeTab(tabId, tab);
      return { tab, notify: admitted.notify, more: admitted.more, allowIgnore: effective.allowIgnore };
    });
    if (!outcome) return { ignored: true };
    // Shown outside the queue: the browser may take a while to show one, and nothing waits for it.
    await Promise.all(outcome.notify.map((key) => notifyKey(tabId, key, outcome.tab.owners[key.fingerprint], outcome.allowIgnore)));
    if (outcome.more) await countMore(outcome.more.id, outcome.more.more);
    if (tabId >= 0) {
      await chrome.action.setBadgeText({ tabId, text: badgeText(outcome.tab) });
      await chrome.action.setBadgeBackgroundColor({ tabId, color: '#c2410c' });
    }
    return { ignored: false };
  },
  'report-leak': async (message, sender) => {
    const body = JSON.stringify({ key: message.key, source: message.source, ...(message.url && /^https?:\/\//.test(message.url) ? { url: message.url } : {}) });
    try {
      const answer = await api.reportLeak<{ received: boolean; revoked?: string[] }>(body);
      if (!answer.ok) return { ok: false, error: t('errorAnswered', answer.status) };
      const site = senderSite(sender);
      const parts = parseApiKey(message.key);
      if (!parts) return { ok: true, ...(answer.body?.revoked ? { revoked: answer.body.revoked } : {}) };
      const key = { fingerprint: await fingerprint(message.key), prefix: parts.prefix, last4: parts.last4 };
      await store.exclusive(async () => {
        if (await store.markInHistory(key.fingerprint, site, 'revoked')) return;
        // A key the history has no record of (its page load's bound was spent): recorded within the same bound.
        const tabId = senderTab(sender);
        const admitted = admitRecord(await store.readTab(tabId));
        if (!admitted.allowed) return;
        await store.writeTab(tabId, admitted.tab);
        await store.addToHistory([
          { ...key, env: parts.env, site, time: new Date().toISOString(), source: message.source === 'page' ? 'page' : 'paste', action: 'revoked' },
        ]);
      });
      return { ok: true, ...(answer.body?.revoked ? { revoked: answer.body.revoked } : {}) };
    } catch {
      return { ok: false, error: t('errorUnreachable') };
    }
  },
  'record-action': async (message, sender) => {
    await store.exclusive(() => store.markInHistory(message.fingerprint, senderSite(sender), message.action));
    return { ok: true };
  },
  fingerprint: async (message) => ({ fingerprint: await fingerprint(message.key) }),
  // The answer stays in the extension (popup, notification): the frame that asked learns nothing.
  'lookup-key': async (message, sender) => {
    const { effective } = await store.readSettings();
    if (!sessionFor(await store.readSession(), effective.apiUrl)) return { ok: true }; // signed out: nobody to name
    const tabId = senderTab(sender);
    const print = await fingerprint(message.key);
    const allowed = await store.exclusive(async () => {
      const admitted = admitLookup(await store.readTab(tabId), print, Date.now());
      await store.writeTab(tabId, admitted.tab);
      return admitted.allowed;
    });
    if (!allowed) return { ok: true };
    const answer = await api.request<ApiKey>('/v1/api-keys/lookup', { method: 'POST', body: JSON.stringify({ key: message.key }) }).catch(() => null);
    if (!answer?.ok || !answer.body) return { ok: true }; // 404: not the user's key; anything else: nothing to name
    const { name, scope, environment, status, lastUsedAt } = answer.body;
    const owner: OwnKey = { name, scope, environment, status, lastUsedAt };
    const entry = await store.exclusive(async () => {
      const tab = await store.readTab(tabId);
      await store.writeTab(tabId, { ...tab, owners: { ...tab.owners, [print]: owner } });
      return tab.keys.find((k) => k.fingerprint === print && tab.notified.includes(print));
    });
    if (entry) await nameOwner(tabId, entry, owner);
    return { ok: true };
  },
  'ignore-site': (message) => ignoreSite(message.site),
  'get-settings': settingsView,
  'update-settings': async (message) => {
    await store.exclusive(async () => store.writeSettings({ ...(await store.readSettings()).settings, ...message.settings }));
    // The token goes only to the origin that issued it: a new API address signs out.
    const session = await store.readSession();
    if (session && originOf((await store.readSettings()).effective.apiUrl) !== session.origin) await signOut();
    return settingsView();
  },
  'sign-in': async (message) => {
    await signOut();
    const origin = originOf((await store.readSettings()).effective.apiUrl);
    if (!origin) return { ok: false, error: t('errorApiAddress') };
    const result = await signIn({ request: api.request, device: store.device }, origin, message.email, message.password);
    if (!result.ok) return result;
    await store.writeSession(result.session);
    return { ok: true, email: result.session.email };
  },
  'sign-out': async () => {
    await signOut();
    return { ok: true };
  },
  'get-popup-state': async (message) => {
    const { effective } = await store.readSettings();
    let expiringSoon: ApiKey[] = [];
    if (sessionFor(await store.readSession(), effective.apiUrl)) {
      const answer = await api.request<Page<ApiKey>>('/v1/api-keys?status=active&limit=200').catch(() => null);
      expiringSoon = answer?.ok ? (answer.body?.data ?? []).filter((k) => isExpiringSoon(k)) : [];
    }
    // Read after the request: a 401 above has just signed the extension out.
    const session = sessionFor(await store.readSession(), effective.apiUrl);
    const detections = await store.readHistory();
    const tab = message.tabId === undefined ? null : await store.readTab(message.tabId);
    return {
      tab: tab && {
        keys: tab.keys.map(({ fingerprint: print, ...key }) => ({ ...key, owner: tab.owners[print] ?? null })),
        more: tab.found - tab.keys.length,
        sites: [...new Set(tab.keys.map((k) => k.site))].map((site) => ({ site, ignored: isIgnored(effective, site) })),
      },
      allowIgnore: effective.allowIgnore,
      detections: detections.slice(0, 20),
      historyFull: historyFull(detections),
      signedInAs: session?.email ?? null,
      expiringSoon,
      settingsUrl: new URL('/', effective.apiUrl).toString(),
    };
  },
  'clear-history': async () => {
    await store.exclusive(store.clearHistory);
    return { ok: true };
  },
};

chrome.runtime.onMessage.addListener((raw: unknown, sender, reply) => {
  if (sender.id !== chrome.runtime.id) return false;
  const parsed = ExtensionMessageSchema.safeParse(raw);
  if (!parsed.success) return false;
  const message = parsed.data;
  // Content scripts run in pages that may be hostile (or in a compromised renderer): they only
  // report; settings, the account, history and the ignore list answer to the extension's own pages alone.
  if (!mayHandle(message.type, sender, self)) {
    reply({ ok: false, error: t('errorExtensionPagesOnly') });
    return false;
  }
  const handler = handlers[message.type] as (m: ExtensionMessage, s: chrome.runtime.MessageSender) => Promise<unknown>;
  handler(message, sender).then(reply, (error: Error) => reply({ ok: false, error: error.message }));
  return true; // the answer comes asynchronously
});

// A new page load in the tab: its keys, records and lookups start again; its notifications still count.
chrome.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status === 'loading') void store.exclusive(async () => store.writeTab(tabId, newPageLoad(await store.readTab(tabId))));
});

chrome.tabs.onRemoved.addListener((tabId) => void store.exclusive(() => store.dropTab(tabId)));

// The notification's button is extension-owned UI: the one place besides the popup and the options
// page where a site can be ignored (hidden when the organisation forbids it).
chrome.notifications.onButtonClicked?.addListener((id, button) => {
  const target = notificationTarget(id);
  if (!target || button !== 0) return;
  void ignoreSite(target.site).then(() => chrome.notifications.clear(id));
});

chrome.notifications.onClicked?.addListener((id) => {
  const target = notificationTarget(id);
  if (!target || target.tabId < 0) return;
  void chrome.tabs.update(target.tabId, { active: true }).then(
    (tab) => tab && chrome.windows.update(tab.windowId, { focused: true }),
    () => undefined,
  );
});

chrome.runtime.onInstalled.addListener(() => {
  // Earlier versions kept the session in chrome.storage.local (where content scripts can read it)
  // and the notified keys there too.
  void chrome.storage.local.remove(['session', 'notified']);
  void chrome.storage.local.get('settings').then((stored) => {
    if (!stored.settings) void chrome.storage.local.set({ settings: DEFAULT_EXTENSION_SETTINGS });
  });
});
