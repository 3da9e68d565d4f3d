import { describe, expect, it } from 'vitest';
import { describeDays, formatUtc } from './time.js';

describe('describeDays', () => {
  it('speaks in the largest whole unit', () => {
    expect(describeDays(30)).toBe('30 days');
    expect(describeDays(1)).toBe('1 day');
    expect(describeDays(0.25)).toBe('6 hours');
    expect(describeDays(0.0001)).toBe('9 seconds');
  });
});

describe('formatUtc', () => {
  it('shows a time to the minute in UTC, from a Date or an ISO string', () => {
    expect(formatUtc(new Date('2026-12-06T12:00:59.999Z'))).toBe('2026-12-06 12:00 UTC');
    expect(formatUtc('2026-12-06T13:30:00+01:00')).toBe('2026-12-06 12:30 UTC');
  });
});
