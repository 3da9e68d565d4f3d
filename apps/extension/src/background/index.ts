import {
  DEFAULT_EXTENSION_SETTINGS,
  type Detection,
  type ExtensionMessage,
  ExtensionMessageSchema,
  type ExtensionResponses,
  type ExtensionSettings,
  type LoginResponse,
  type Page,
  type ApiKey,
} from '@tradetally/contracts';

// The background service worker. Listeners are registered at the top level, because MV3 may stop
// the worker at any time and wakes it by replaying events to top-level listeners. Everything kept
// lives in chrome.storage: settings, the session token, the ignore list and detections, which hold
// a key's prefix, last4 and SHA-256 fingerprint only — never the key.

const MAX_DETECTIONS = 200;

interface Stored {
  settings?: Partial<ExtensionSettings>;
  session?: { token: string; email: string };
  detections?: Detection[];
  notified?: string[];
}

async function load(): Promise<Required<Pick<Stored, 'detections' | 'notified'>> & { settings: ExtensionSettings; session: Stored['session'] }> {
  const stored = (await chrome.storage.local.get(['settings', 'session', 'detections', 'notified'])) as Stored;
  return { settings: { ...DEFAULT_EXTENSION_SETTINGS, ...stored.settings }, session: stored.session, detections: stored.detections ?? [], notified: stored.notified ?? [] };
}

async function api<T>(path: string, init: RequestInit = {}): Promise<{ ok: boolean; status: number; body: T | null }> {
  const { settings, session } = await load();
  const response = await fetch(new URL(path, settings.apiUrl), {
    ...init,
    headers: { 'content-type': 'application/json', ...(session ? { authorization: `Bearer ${session.token}` } : {}), ...(init.headers ?? {}) },
  });
  return { ok: response.ok, status: response.status, body: (await response.json().catch(() => null)) as T | null };
}

async function record(detection: Detection): Promise<void> {
  const { detections } = await load();
  await chrome.storage.local.set({ detections: [detection, ...detections].slice(0, MAX_DETECTIONS) });
}

/** Keys seen per tab, for the badge (session storage: survives the worker, not the browser). */
async function countForTab(tabId: number, fingerprints: string[]): Promise<number> {
  const name = `tab-${tabId}`;
  const stored = (await chrome.storage.session.get(name))[name] as string[] | undefined;
  const all = [...new Set([...(stored ?? []), ...fingerprints])];
  await chrome.storage.session.set({ [name]: all });
  return all.length;
}

type Handlers = { [T in ExtensionMessage['type']]: (message: Extract<ExtensionMessage, { type: T }>, sender: chrome.runtime.MessageSender) => Promise<ExtensionResponses[T]> };

const handlers: Handlers = {
  'keys-detected': async (message, sender) => {
    const { settings, notified } = await load();
    const ignored = settings.ignoredSites.includes(message.site);
    if (!ignored) {
      const time = new Date().toISOString();
      for (const key of message.keys) await record({ ...key, site: message.site, time, source: message.source, action: 'warned' });
      const tabId = sender.tab?.id;
      if (tabId !== undefined) {
        const count = await countForTab(tabId, message.keys.map((k) => k.fingerprint));
        await chrome.action.setBadgeText({ tabId, text: String(count) });
        await chrome.action.setBadgeBackgroundColor({ tabId, color: '#c2410c' });
      }
      // A system notification for a live key, once per key and site.
      const fresh = message.keys.filter((k) => k.env === 'live' && !notified.includes(`${message.site}|${k.fingerprint}`));
      for (const key of fresh) {
        chrome.notifications.create(`tt-${key.fingerprint.slice(0, 16)}-${Date.now()}`, {
          type: 'basic',
          iconUrl: chrome.runtime.getURL('icon-128.png'),
          title: 'Live TradeTally key exposed',
          message: `${key.prefix}…${key.last4} appeared on ${message.site}. Open the page's warning to revoke it.`,
        });
      }
      if (fresh.length) await chrome.storage.local.set({ notified: [...notified, ...fresh.map((k) => `${message.site}|${k.fingerprint}`)].slice(-1000) });
    }
    return { settings, ignored };
  },
  'report-leak': async (message, sender) => {
    const site = message.url ? new URL(message.url).hostname || 'unknown' : (sender.tab?.url ? new URL(sender.tab.url).hostname : 'unknown');
    try {
      const answer = await api<{ received: boolean; revoked?: string[] }>('/v1/leaks', {
        method: 'POST',
        body: JSON.stringify({ key: message.key, source: message.source, ...(message.url && /^https?:/.test(message.url) ? { url: message.url } : {}) }),
      });
      if (!answer.ok) return { ok: false, error: `TradeTally answered ${answer.status}.` };
      const parts = { prefix: message.key.slice(0, 12), last4: message.key.slice(-4), env: message.key.startsWith('tt_live_') ? ('live' as const) : ('test' as const) };
      await record({ ...parts, fingerprint: message.fingerprint, site, time: new Date().toISOString(), source: message.source === 'page' ? 'page' : 'paste', action: 'revoked' });
      return { ok: true, ...(answer.body?.revoked ? { revoked: answer.body.revoked } : {}) };
    } catch {
      return { ok: false, error: 'Could not reach TradeTally at the configured API address.' };
    }
  },
  'record-action': async (message) => {
    const { detections } = await load();
    const index = detections.findIndex((d) => d.fingerprint === message.fingerprint && d.site === message.site);
    if (index >= 0) detections[index] = { ...(detections[index] as Detection), action: message.action };
    await chrome.storage.local.set({ detections });
    return { ok: true };
  },
  'ignore-site': async (message) => {
    const { settings } = await load();
    if (!settings.ignoredSites.includes(message.site)) settings.ignoredSites.push(message.site);
    await chrome.storage.local.set({ settings });
    return { ok: true };
  },
  'get-settings': async () => (await load()).settings,
  'update-settings': async (message) => {
    const settings = { ...(await load()).settings, ...message.settings };
    await chrome.storage.local.set({ settings });
    return settings;
  },
  'sign-in': async (message) => {
    const answer = await api<LoginResponse & { detail?: string }>('/v1/auth/login', { method: 'POST', body: JSON.stringify({ email: message.email, password: message.password }) }).catch(() => null);
    if (!answer?.ok || !answer.body) return { ok: false, error: answer?.body?.detail ?? 'Could not sign in.' };
    await chrome.storage.local.set({ session: { token: answer.body.token, email: answer.body.user.email } });
    return { ok: true, email: answer.body.user.email };
  },
  'sign-out': async () => {
    await api('/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
    await chrome.storage.local.remove('session');
    return { ok: true };
  },
  'get-popup-state': async () => {
    const { settings, session, detections } = await load();
    let expiringSoon: ApiKey[] = [];
    if (session) {
      const answer = await api<Page<ApiKey>>('/v1/api-keys?status=active&limit=200').catch(() => null);
      const soon = Date.now() + 7 * 86_400_000;
      expiringSoon = (answer?.body?.data ?? []).filter((k) => k.expiresAt && Date.parse(k.expiresAt) <= soon);
    }
    return { detections: detections.slice(0, 20), signedInAs: session?.email ?? null, expiringSoon, settingsUrl: new URL('/', settings.apiUrl).toString() };
  },
  'clear-history': async () => {
    await chrome.storage.local.set({ detections: [], notified: [] });
    return { ok: true };
  },
};

chrome.runtime.onMessage.addListener((raw: unknown, sender, reply) => {
  // Only this extension's own pages and content scripts may talk to it.
  if (sender.id !== chrome.runtime.id) return false;
  const parsed = ExtensionMessageSchema.safeParse(raw);
  if (!parsed.success) return false;
  const message = parsed.data;
  const handler = handlers[message.type] as (m: ExtensionMessage, s: chrome.runtime.MessageSender) => Promise<unknown>;
  handler(message, sender).then(reply, (error: Error) => reply({ ok: false, error: error.message }));
  return true; // the answer comes asynchronously
});

chrome.tabs.onUpdated.addListener((tabId, change) => {
  if (change.status === 'loading') void chrome.storage.session.remove(`tab-${tabId}`);
});

chrome.runtime.onInstalled.addListener(() => {
  void chrome.storage.local.get('settings').then((stored) => {
    if (!stored.settings) void chrome.storage.local.set({ settings: DEFAULT_EXTENSION_SETTINGS });
  });
});
