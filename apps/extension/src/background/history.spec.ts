import type { Detection } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { HISTORY_LIMIT, HISTORY_MAX_AGE_MS, appendDetections, historyFull } from './history.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const detection = (n: number, time = NOW, site = 'flood.example'): Detection => ({
  prefix: 'tt_live_abcd',
  last4: String(n).padStart(4, '0').slice(-4),
  env: 'live',
  fingerprint: n.toString(16).padStart(64, '0'),
  site,
  time: new Date(time).toISOString(),
  source: 'page',
  action: 'warned',
});

describe('appendDetections', () => {
  it('puts the newest first', () => {
    const history = appendDetections([detection(1)], [detection(2), detection(3)], NOW);
    expect(history.map((d) => d.last4)).toEqual(['0003', '0002', '0001']);
  });

  it('never evicts older entries for a flood: a full history takes nothing more', () => {
    const real = detection(0, NOW - 86_400_000, 'chat.example');
    let history = [real];
    for (let load = 0; load < 12; load++)
      history = appendDetections(
        history,
        Array.from({ length: 20 }, (_, i) => detection(1000 + load * 20 + i)),
        NOW,
      );
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history.at(-1)).toEqual(real);
    expect(historyFull(history)).toBe(true);
  });

  it('lets entries older than 90 days go, which makes room again', () => {
    const old = detection(1, NOW - HISTORY_MAX_AGE_MS - 1);
    const history = appendDetections([old], [detection(2)], NOW);
    expect(history.map((d) => d.last4)).toEqual(['0002']);
  });
});
