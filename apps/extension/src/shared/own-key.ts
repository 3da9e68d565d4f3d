import { DAY_MS, HOUR_MS, type OwnKey } from '@tradetally/contracts';
import { t } from './i18n.js';

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * DAY_MS],
  ['month', 30 * DAY_MS],
  ['day', DAY_MS],
  ['hour', HOUR_MS],
  ['minute', 60_000],
];

/** "2 hours ago", "yesterday", "just now": how long since `time`, in the largest whole unit, in the browser's language. */
export function ago(time: string, now: number, language = chrome.i18n.getUILanguage()): string {
  const elapsed = now - Date.parse(time);
  const format = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) if (elapsed >= ms) return format.format(-Math.floor(elapsed / ms), unit);
  return t('justNow');
}

/** The popup's line for the user's own key: `Your key "Broker import" — read & write — used 2 hours ago`. */
export function describeOwnKey(key: OwnKey, now = Date.now()): string {
  const scope = t(key.scope === 'read_write' ? 'scopeReadWrite' : 'scopeRead');
  const used = key.lastUsedAt ? t('ownKeyUsed', ago(key.lastUsedAt, now)) : t('ownKeyNeverUsed');
  const line = t('ownKey', key.name, scope, used);
  return key.status === 'active' ? line : t('ownKeyInactive', line, key.status);
}
