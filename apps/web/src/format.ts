import { DAY_MS, HOUR_MS } from '@tradetally/contracts';

const MINUTE = 60_000;

/** "in 5 days", "3 hours ago", "just now": how far `iso` is from `now`. */
export function relative(iso: string, now = Date.now()): string {
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff);
  if (abs < MINUTE) return 'just now';
  const [value, unit] =
    abs >= DAY_MS ? [Math.round(abs / DAY_MS), 'day'] : abs >= HOUR_MS ? [Math.round(abs / HOUR_MS), 'hour'] : [Math.round(abs / MINUTE), 'minute'];
  const words = `${value} ${unit}${value === 1 ? '' : 's'}`;
  return diff > 0 ? `in ${words}` : `${words} ago`;
}

/** A date and time people read: "29 Nov 2026, 14:30". */
export function when(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Days from now, as an ISO timestamp (expiry presets). */
export function daysFromNow(days: number, now = Date.now()): string {
  return new Date(now + days * DAY_MS).toISOString();
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg\/(\d+)/, 'Edge'],
  [/\bFirefox\/(\d+)/, 'Firefox'],
  [/\b(?:Chrome|Chromium|HeadlessChrome)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];

/**
 * A user agent short enough for a table cell: "curl/8.5.0", "python-requests/2.31.0", "Chrome 131".
 * Browsers all start with "Mozilla/5.0 (…)", so for them the product that matters is found further in.
 */
export function shortAgent(agent: string, max = 32): string {
  const ua = agent.trim();
  if (ua.startsWith('Mozilla/')) {
    for (const [pattern, name] of BROWSERS) {
      const match = pattern.exec(ua);
      if (match) return `${name} ${match[1]}`;
    }
  }
  const first = ua.split(/\s+/)[0] ?? '';
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}
