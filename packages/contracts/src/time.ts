/** One day in milliseconds: the unit of every "days" setting (REMINDER_DAYS, ROTATION_AGE_DAYS, UNUSED_DAYS). */
export const DAY_MS = 86_400_000;

/** Days without use after which a key counts as unused: the worker's `UNUSED_DAYS` default and the page's review. */
export const DEFAULT_UNUSED_DAYS = 30;

/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;

/** A time as messages show it, to the minute and always in UTC: `2026-12-06 12:00 UTC`. */
export function formatUtc(time: Date | string): string {
  const iso = typeof time === 'string' ? new Date(time).toISOString() : time.toISOString();
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** A span of days in words, in the largest unit that fits: "30 days", "1 day", "6 hours", "9 seconds". */
export function describeDays(days: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (days >= 1) return plural(Math.round(days), 'day');
  const hours = days * (DAY_MS / HOUR_MS);
  if (hours >= 1) return plural(Math.round(hours), 'hour');
  const minutes = hours * 60;
  if (minutes >= 1) return plural(Math.round(minutes), 'minute');
  return plural(Math.max(1, Math.round(minutes * 60)), 'second');
}
