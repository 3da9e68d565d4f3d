import type { DetectedKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import {
  LOOKUPS_PER_MINUTE,
  NOTIFICATIONS_PER_MINUTE,
  RECORDS_PER_PAGE_LOAD,
  type TabState,
  admitKeys,
  admitLookup,
  admitRecord,
  badgeText,
  emptyTab,
  newPageLoad,
  notified,
} from './tab-state.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
let serial = 0;
const key = (env: 'live' | 'test' = 'live'): DetectedKey => {
  const n = (serial++).toString(16).padStart(64, '0');
  return { prefix: `tt_${env}_abcd`, last4: n.slice(-4), env, fingerprint: n };
};

/** Admits keys one message at a time, as fifty frames or mutations would send them, showing each notification. */
function flood(tab: TabState, keys: DetectedKey[], now = NOW) {
  const record: DetectedKey[] = [];
  let notifications = 0;
  let more = 0;
  for (const k of keys) {
    const admitted = admitKeys(tab, [k], 'flood.example', now);
    tab = admitted.tab;
    record.push(...admitted.record);
    for (const n of admitted.notify) tab = notified(tab, `id-${n.fingerprint}`);
    notifications += admitted.notify.length;
    more = admitted.more?.more ?? more;
  }
  return { tab, record, notifications, more };
}

describe('admitKeys', () => {
  it('counts, records and notifies each key once per page load, and notifies a live key once per tab', () => {
    const live = key();
    const test = key('test');
    const first = admitKeys(emptyTab(), [live, test, live], 'chat.example', NOW);
    expect(first.record).toEqual([live, test]);
    expect(first.notify.map((k) => k.fingerprint)).toEqual([live.fingerprint]);
    expect(badgeText(first.tab)).toBe('2');
    const again = admitKeys(first.tab, [live], 'other.example', NOW);
    expect(again.record).toEqual([]);
    expect(again.notify).toEqual([]);
    const reloaded = admitKeys(newPageLoad(first.tab), [live], 'chat.example', NOW + 1000);
    expect(reloaded.record).toEqual([live]); // a new page load records it again...
    expect(reloaded.notify).toEqual([]); // ...but the tab was already told
  });

  it('bounds a flood of 50 live keys: 20 records, 3 notifications, the rest counted on the last one', () => {
    const keys = Array.from({ length: 50 }, () => key());
    const { tab, record, notifications, more } = flood(emptyTab(), keys);
    expect(record).toHaveLength(RECORDS_PER_PAGE_LOAD);
    expect(notifications).toBe(NOTIFICATIONS_PER_MINUTE);
    expect(more).toBe(50 - NOTIFICATIONS_PER_MINUTE);
    expect(tab.last?.id).toBe(`id-${keys[2]?.fingerprint}`);
    expect(badgeText(tab)).toBe('50');
  });

  it('keeps the notification rate across page loads, and lets notifications through again after a minute', () => {
    const { tab } = flood(
      emptyTab(),
      Array.from({ length: 5 }, () => key()),
    );
    const reloaded = flood(newPageLoad(tab), [key()], NOW + 30_000);
    expect(reloaded.notifications).toBe(0);
    expect(reloaded.record).toHaveLength(1);
    expect(flood(reloaded.tab, [key()], NOW + 61_000).notifications).toBe(1);
  });
});

describe('admitRecord', () => {
  it('shares the page load’s record bound', () => {
    const { tab } = flood(
      emptyTab(),
      Array.from({ length: 25 }, () => key('test')),
    );
    expect(admitRecord(tab).allowed).toBe(false);
    expect(admitRecord(newPageLoad(tab))).toMatchObject({ allowed: true, tab: { records: 1 } });
  });
});

describe('admitLookup', () => {
  it('looks a key up once, and at most 10 keys per tab per minute whichever frame asks', () => {
    let tab = emptyTab();
    const allowed: boolean[] = [];
    for (let i = 0; i < 15; i++) {
      const admitted = admitLookup(tab, key().fingerprint, NOW + i);
      tab = admitted.tab;
      allowed.push(admitted.allowed);
    }
    expect(allowed.filter(Boolean)).toHaveLength(LOOKUPS_PER_MINUTE);
    const repeat = key().fingerprint;
    expect(admitLookup(emptyTab(), repeat, NOW).allowed).toBe(true);
    expect(admitLookup(admitLookup(emptyTab(), repeat, NOW).tab, repeat, NOW).allowed).toBe(false);
    // A reload does not refill the budget; a minute does.
    expect(admitLookup(newPageLoad(tab), key().fingerprint, NOW + 100).allowed).toBe(false);
    expect(admitLookup(newPageLoad(tab), key().fingerprint, NOW + 60_100).allowed).toBe(true);
  });
});
