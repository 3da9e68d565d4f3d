import type { OwnKey } from '@tradetally/contracts';

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "2 hours ago", "yesterday", "just now": how long since `time`, in the largest whole unit. */
export function ago(time: string, now: number): string {
  const elapsed = now - Date.parse(time);
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, ms] of UNITS) if (elapsed >= ms) return format.format(-Math.floor(elapsed / ms), unit);
  return 'just now';
}

/** The warning's line for the user's own key: `Your key "Broker import" — read & write — used 2 hours ago`. */
export function describeOwnKey(key: OwnKey, now = Date.now()): string {
  const scope = key.scope === 'read_write' ? 'read & write' : 'read only';
  const used = key.lastUsedAt ? `used ${ago(key.lastUsedAt, now)}` : 'never used';
  const status = key.status === 'active' ? '' : ` — already ${key.status}`;
  return `Your key "${key.name}" — ${scope} — ${used}${status}`;
}
