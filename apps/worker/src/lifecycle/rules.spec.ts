import { describe, expect, it } from 'vitest';
import { describeDays, dueWindows, rotationPeriod } from './rules.js';

const DAY = 86_400_000;
const now = new Date('2026-11-29T12:00:00Z');
const at = (offsetDays: number) => new Date(now.getTime() + offsetDays * DAY);

describe('dueWindows', () => {
  it('is empty before the first window opens and after expiry', () => {
    expect(dueWindows({ createdAt: at(-60), expiresAt: at(31) }, now, [30, 7, 1])).toEqual([]);
    expect(dueWindows({ createdAt: at(-60), expiresAt: at(-1) }, now, [30, 7, 1])).toEqual([]);
  });

  it('lists every open window, most urgent first', () => {
    expect(dueWindows({ createdAt: at(-60), expiresAt: at(29) }, now, [30, 7, 1])).toEqual([30]);
    expect(dueWindows({ createdAt: at(-60), expiresAt: at(0.5) }, now, [30, 7, 1])).toEqual([1, 7, 30]);
  });

  it('skips windows that opened before the key was made', () => {
    // A key made 20 hours before its expiry gets no "1 day left" notice.
    expect(dueWindows({ createdAt: at(-0.2), expiresAt: at(20 / 24 - 0.2) }, now, [30, 7, 1])).toEqual([]);
    // A key made for 10 days: the 30-day window opened before it existed.
    expect(dueWindows({ createdAt: at(-4), expiresAt: at(6) }, now, [30, 7, 1])).toEqual([7]);
  });

  it('takes windows of fractions of a day', () => {
    const expiresAt = new Date(now.getTime() + 5000);
    expect(dueWindows({ createdAt: at(-1), expiresAt }, now, [0.0001])).toEqual([0.0001]);
  });
});

describe('rotationPeriod', () => {
  it('counts whole ages and is off at 0', () => {
    expect(rotationPeriod(at(-89), now, 90)).toBe(0);
    expect(rotationPeriod(at(-90), now, 90)).toBe(1);
    expect(rotationPeriod(at(-200), now, 90)).toBe(2);
    expect(rotationPeriod(at(-200), now, 0)).toBe(0);
  });
});

describe('describeDays', () => {
  it('speaks in the largest whole unit', () => {
    expect(describeDays(30)).toBe('30 days');
    expect(describeDays(1)).toBe('1 day');
    expect(describeDays(0.25)).toBe('6 hours');
    expect(describeDays(0.0001)).toBe('9 seconds');
  });
});
