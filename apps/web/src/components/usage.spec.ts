import { describe, expect, it } from 'vitest';
import { summarizeUsage, usageBars } from './usage.js';

describe('usageBars', () => {
  const days = [
    { date: '2026-11-27', requests: 0, rejected: 0 },
    { date: '2026-11-28', requests: 30, rejected: 10 },
    { date: '2026-11-29', requests: 1, rejected: 0 },
  ];

  it('totals the days and scales to the busiest one', () => {
    expect(summarizeUsage(days)).toEqual({ requests: 31, rejected: 10, peak: 40 });
  });

  it('stacks the rejected part on top of the accepted part', () => {
    const busy = usageBars(days, 300, 100)[1];
    expect(busy).toMatchObject({ acceptedY: 25, acceptedHeight: 75, rejectedY: 0, rejectedHeight: 25 });
  });

  it('gives each day an equal slot and leaves an unused day empty', () => {
    const [empty, busy] = usageBars(days, 300, 100);
    expect(empty).toMatchObject({ acceptedHeight: 0, rejectedHeight: 0 });
    expect(busy && busy.x - (empty?.x ?? 0)).toBe(100);
  });

  it('keeps a lone request visible beside a busy day', () => {
    expect(usageBars(days, 300, 100)[2]?.acceptedHeight).toBe(2.5);
    expect(
      usageBars(
        [
          { date: '2026-11-29', requests: 1, rejected: 0 },
          { date: '2026-11-30', requests: 1000, rejected: 0 },
        ],
        100,
        100,
      )[0]?.acceptedHeight,
    ).toBe(1);
  });
});
