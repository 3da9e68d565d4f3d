import type { UsageDay } from '@tradetally/contracts';
import { summarizeUsage, usageBars } from './usage.js';

const WIDTH = 600;
const HEIGHT = 120;
const plural = (n: number, word: string) => `${n.toLocaleString('en-GB')} ${word}${n === 1 ? '' : 's'}`;

/**
 * A key's use per UTC day as stacked bars (accepted, then rejected), drawn as inline SVG: no chart
 * library for thirty rectangles. Screen readers get the totals from the label; each day's numbers
 * are in its <title>, which browsers show on hover.
 */
export function UsageChart(props: { name: string; days: UsageDay[] }) {
  const { requests, rejected, peak } = summarizeUsage(props.days);
  const bars = usageBars(props.days, WIDTH, HEIGHT);
  const span = props.days.length;
  const label = `Use of “${props.name}” in the last ${span} days: ${plural(requests, 'accepted request')}, ${plural(rejected, 'rejected request')}`;
  return (
    <figure class="usage" data-testid="usage-chart">
      <svg role="img" aria-label={label} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" width="100%" height={HEIGHT}>
        <title>{label}</title>
        <line class="baseline" x1={0} x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} />
        {bars.map((bar) => (
          <g key={bar.date} class="day" data-date={bar.date}>
            <title>{`${bar.date}: ${plural(bar.requests, 'accepted request')}, ${plural(bar.rejected, 'rejected request')}`}</title>
            {/* An invisible full-height target, so a quiet day still answers to the pointer. */}
            <rect class="hit" x={bar.x} y={0} width={bar.width} height={HEIGHT} />
            {bar.acceptedHeight ? <rect class="accepted" x={bar.x} y={bar.acceptedY} width={bar.width} height={bar.acceptedHeight} /> : null}
            {bar.rejectedHeight ? <rect class="rejected" x={bar.x} y={bar.rejectedY} width={bar.width} height={bar.rejectedHeight} /> : null}
          </g>
        ))}
      </svg>
      <figcaption>
        <span>{props.days[0]?.date}</span>
        <span>
          <i class="swatch accepted" /> {requests.toLocaleString('en-GB')} accepted · <i class="swatch rejected" /> {rejected.toLocaleString('en-GB')} rejected
          · busiest day {peak.toLocaleString('en-GB')}
        </span>
        <span>{props.days[span - 1]?.date}</span>
      </figcaption>
    </figure>
  );
}
