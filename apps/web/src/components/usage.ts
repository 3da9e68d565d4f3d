import type { UsageDay } from '@tradetally/contracts';

/** One day's column of the usage chart: accepted at the bottom, rejected stacked on top, in SVG units. */
export interface UsageBar {
  date: string;
  requests: number;
  rejected: number;
  x: number;
  width: number;
  /** Top and height of the accepted part; height 0 when there were none. */
  acceptedY: number;
  acceptedHeight: number;
  rejectedY: number;
  rejectedHeight: number;
}

/** Totals over the days shown, and the busiest day's count (the chart's scale). */
export interface UsageSummary {
  requests: number;
  rejected: number;
  peak: number;
}

/** Sums what the chart's label says. */
export function summarizeUsage(days: UsageDay[]): UsageSummary {
  return days.reduce(
    (sum, d) => ({ requests: sum.requests + d.requests, rejected: sum.rejected + d.rejected, peak: Math.max(sum.peak, d.requests + d.rejected) }),
    { requests: 0, rejected: 0, peak: 0 },
  );
}

/**
 * Lays the days out as stacked bars filling `width` x `height`, scaled to the busiest day. A day with
 * any use gets at least one unit of height, so a single request on a busy chart is still visible.
 */
export function usageBars(days: UsageDay[], width: number, height: number): UsageBar[] {
  const { peak } = summarizeUsage(days);
  const slot = days.length ? width / days.length : width;
  const gap = Math.min(2, slot * 0.2);
  const scale = (n: number) => (n === 0 || peak === 0 ? 0 : Math.max(1, (n / peak) * height));
  return days.map((day, i) => {
    const acceptedHeight = scale(day.requests);
    const rejectedHeight = scale(day.rejected);
    const acceptedY = height - acceptedHeight;
    return {
      date: day.date,
      requests: day.requests,
      rejected: day.rejected,
      x: i * slot + gap / 2,
      width: slot - gap,
      acceptedY,
      acceptedHeight,
      rejectedY: acceptedY - rejectedHeight,
      rejectedHeight,
    };
  });
}
