import { DAY_MS } from '@tradetally/contracts';

/** What the reminder rules need of a key. */
export interface ExpiringKey {
  createdAt: Date;
  expiresAt: Date;
}

/**
 * The reminder windows (days before expiry) that are due for a key at `now`, most urgent first.
 * A window is due once it has opened (`expiresAt - window <= now`) and before expiry, and counts
 * only if the key was created before it opened: a key made to live 20 hours gets no "1 day left".
 */
export function dueWindows(key: ExpiringKey, now: Date, windows: number[]): number[] {
  const expires = key.expiresAt.getTime();
  if (expires <= now.getTime()) return [];
  return windows
    .filter((w) => {
      const opens = expires - w * DAY_MS;
      return opens <= now.getTime() && key.createdAt.getTime() < opens;
    })
    .sort((a, b) => a - b);
}

/** How many whole rotation ages a key has lived (0 = not yet due; off when the age is 0). */
export function rotationPeriod(createdAt: Date, now: Date, ageDays: number): number {
  if (ageDays <= 0) return 0;
  return Math.floor((now.getTime() - createdAt.getTime()) / (ageDays * DAY_MS));
}

/** A span of days in words: "30 days", "1 day", "6 hours", "9 seconds". */
export function describeDays(days: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (days >= 1) return plural(Math.round(days), 'day');
  const hours = days * 24;
  if (hours >= 1) return plural(Math.round(hours), 'hour');
  const minutes = hours * 60;
  if (minutes >= 1) return plural(Math.round(minutes), 'minute');
  return plural(Math.max(1, Math.round(minutes * 60)), 'second');
}
