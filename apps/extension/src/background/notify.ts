import { type OwnKey, displayApiKey } from '@tradetally/contracts';
import { t } from '../shared/i18n.js';
import type { TabEntry } from './tab-state.js';

// The system notification for a live key: shown by the service worker itself, so nothing a page
// does to its in-page warning can stop it. Its "Ignore on this site" button is extension-owned UI.

/** A notification's id names its tab, site and key, so a click can act after the worker restarted. */
export const notificationId = (tabId: number, site: string, fingerprint: string): string => `tt|${tabId}|${site}|${fingerprint.slice(0, 16)}`;

/** The tab and site a notification of ours speaks for; null for any other id. */
export function notificationTarget(id: string): { tabId: number; site: string } | null {
  const [tag, tab, site] = id.split('|');
  const tabId = Number(tab);
  return tag === 'tt' && Number.isInteger(tabId) && site ? { tabId, site } : null;
}

/** The notification's title and text: the user's own key is named here (and in the popup), never in the page. */
export function notificationText(key: TabEntry, owner: OwnKey | undefined): { title: string; message: string } {
  return {
    title: owner ? t('notificationOwnTitle', owner.name) : t('notificationTitle'),
    message: t('notificationMessage', displayApiKey(key), key.site),
  };
}

/** Shows the notification for a live key (its id is `notificationId(tabId, key.site, key.fingerprint)`). */
export async function notifyKey(tabId: number, key: TabEntry, owner: OwnKey | undefined, allowIgnore: boolean): Promise<void> {
  const id = notificationId(tabId, key.site, key.fingerprint);
  const options: chrome.notifications.NotificationCreateOptions = {
    type: 'basic',
    iconUrl: chrome.runtime.getURL('icon-128.png'),
    ...notificationText(key, owner),
  };
  try {
    await chrome.notifications.create(id, { ...options, priority: 2, ...(allowIgnore ? { buttons: [{ title: t('notificationIgnore', key.site) }] } : {}) });
  } catch {
    // Firefox refuses buttons and priority: the plain notification, and the popup offers the choice.
    await chrome.notifications.create(id, options);
  }
}

/** Changes a notification still showing; none where the browser cannot (Firefox has no `update`). */
async function update(id: string, options: chrome.notifications.NotificationOptions): Promise<void> {
  try {
    await chrome.notifications.update(id, options);
  } catch {
    // gone, or not supported: the popup and the badge still say it
  }
}

/** Names the user's own key on its notification, if that is still showing. */
export async function nameOwner(tabId: number, key: TabEntry, owner: OwnKey): Promise<void> {
  await update(notificationId(tabId, key.site, key.fingerprint), notificationText(key, owner));
}

/** Counts live keys found past the rate on the tab's last notification (an update, not a new notification). */
export async function countMore(id: string, more: number): Promise<void> {
  await update(id, { contextMessage: t('notificationMore', more) });
}
