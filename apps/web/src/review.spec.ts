import type { ApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { parseAllowedIps, summarizeAllowedIps } from './allowed-ips.js';
import { relative, shortAgent } from './format.js';
import { reviewKeys } from './review.js';
import { summarizeUsage, usageBars } from './usage.js';

const DAY = 86_400_000;
const now = Date.parse('2026-11-29T12:00:00Z');
const iso = (offsetDays: number) => new Date(now + offsetDays * DAY).toISOString();
const key = (over: Partial<ApiKey>): ApiKey => ({
  id: 'k',
  name: 'k',
  scope: 'read',
  environment: 'live',
  prefix: 'tt_live_abcd',
  last4: 'wxyz',
  status: 'active',
  createdAt: iso(-2),
  expiresAt: iso(90),
  lastUsedAt: iso(-1),
  revokedAt: null,
  revokeReason: null,
  rotatedFromId: null,
  rotatedToId: null,
  graceEndsAt: null,
  canary: false,
  selfRotate: false,
  allowedIps: null,
  lastUsedIp: null,
  lastUsedUserAgent: null,
  rotationDueAt: iso(88),
  ...over,
});

describe('reviewKeys', () => {
  it('finds nothing to say about a fresh, used, read-only key with an expiry', () => {
    expect(reviewKeys([key({})], now)).toEqual([]);
  });

  it('flags keys with no expiry, read_write keys, unused keys and keys expiring within 7 days, most urgent first', () => {
    const items = reviewKeys(
      [
        key({ id: 'forever', expiresAt: null }),
        key({ id: 'writer', scope: 'read_write' }),
        key({ id: 'idle', createdAt: iso(-60), lastUsedAt: iso(-31) }),
        key({ id: 'never', lastUsedAt: null, createdAt: iso(-30) }),
        key({ id: 'soon', expiresAt: iso(5) }),
      ],
      now,
    );
    expect(items.map((i) => [i.kind, i.key.id, i.fix])).toEqual([
      ['expiring', 'soon', 'replace'],
      ['unused', 'idle', 'revoke'],
      ['unused', 'never', 'revoke'],
      ['no_expiry', 'forever', 'rotate'],
      ['read_write', 'writer', 'rotate'],
    ]);
  });

  it('counts 30 days of disuse from the last use, or from creation for a key never used', () => {
    const items = reviewKeys(
      [
        key({ id: 'used-29-days-ago', createdAt: iso(-100), lastUsedAt: iso(-29) }),
        key({ id: 'made-29-days-ago', createdAt: iso(-29), lastUsedAt: null }),
        key({ id: 'used-45-days-ago', createdAt: iso(-100), lastUsedAt: iso(-45) }),
        key({ id: 'made-40-days-ago', createdAt: iso(-40), lastUsedAt: null }),
      ],
      now,
    ).filter((i) => i.kind === 'unused');
    expect(items.map((i) => [i.key.id, i.why, i.fix])).toEqual([
      ['used-45-days-ago', 'has not been used for 45 days', 'revoke'],
      ['made-40-days-ago', 'has never been used in the 40 days since it was made', 'revoke'],
    ]);
  });

  it('suggests self-rotation for keys due for rotation within 7 days or overdue, unless they already rotate themselves', () => {
    const items = reviewKeys(
      [
        key({ id: 'overdue', rotationDueAt: iso(-3) }),
        key({ id: 'due-today', rotationDueAt: iso(-0.2) }),
        key({ id: 'near', rotationDueAt: iso(6) }),
        key({ id: 'far', rotationDueAt: iso(8) }),
        key({ id: 'self', rotationDueAt: iso(-3), selfRotate: true }),
        key({ id: 'off', rotationDueAt: null }),
      ],
      now,
    );
    expect(items.map((i) => [i.kind, i.key.id, i.fix, i.why])).toEqual([
      ['rotation_due', 'overdue', 'self_rotate', 'was due for rotation 3 days ago: a key that rotates itself never waits for you'],
      ['rotation_due', 'due-today', 'self_rotate', 'is due for rotation today: a key that rotates itself never waits for you'],
      ['rotation_due', 'near', 'self_rotate', 'is due for rotation in 6 days: a key that rotates itself never waits for you'],
    ]);
  });

  it('leaves decoy keys alone, however unused, writable or eternal they are', () => {
    expect(reviewKeys([key({ canary: true, createdAt: iso(-200), lastUsedAt: null, expiresAt: null, scope: 'read_write', rotationDueAt: null })], now)).toEqual(
      [],
    );
  });

  it('ignores revoked, expired and already rotated keys', () => {
    expect(
      reviewKeys(
        [key({ status: 'revoked', expiresAt: null }), key({ status: 'expired', scope: 'read_write' }), key({ rotatedToId: 'x', expiresAt: null })],
        now,
      ),
    ).toEqual([]);
  });
});

describe('parseAllowedIps', () => {
  it('reads addresses and ranges one per line or comma separated, dropping repeats; empty means anywhere', () => {
    expect(parseAllowedIps(' 203.0.113.7\n10.0.0.0/8, 2001:db8::/32 ,,\n203.0.113.7 ')).toEqual({
      ok: true,
      value: ['203.0.113.7', '10.0.0.0/8', '2001:db8::/32'],
    });
    expect(parseAllowedIps('  \n ')).toEqual({ ok: true, value: null });
  });

  it('names the entries that are not addresses or ranges', () => {
    expect(parseAllowedIps('203.0.113.7, 300.1.1.1\nexample.com')).toEqual({
      ok: false,
      error: 'Not an IPv4 or IPv6 address or CIDR range: “300.1.1.1”, “example.com”.',
    });
    expect(parseAllowedIps('10.0.0.0/33')).toMatchObject({ ok: false });
  });

  it('refuses more than 20, as the API would', () => {
    const many = Array.from({ length: 21 }, (_, i) => `198.51.100.${i}`).join('\n');
    expect(parseAllowedIps(many)).toEqual({ ok: false, error: 'At most 20 addresses or ranges (you gave 21).' });
    expect(parseAllowedIps(many.split('\n').slice(0, 20).join(','))).toMatchObject({ ok: true });
  });

  it('shows two entries in the list, then how many more', () => {
    expect(summarizeAllowedIps(['a', 'b'])).toBe('a, b');
    expect(summarizeAllowedIps(['a', 'b', 'c', 'd'])).toBe('a, b +2 more');
  });
});

describe('usageBars', () => {
  const days = [
    { date: '2026-11-27', requests: 0, rejected: 0 },
    { date: '2026-11-28', requests: 30, rejected: 10 },
    { date: '2026-11-29', requests: 1, rejected: 0 },
  ];

  it('totals the days and scales to the busiest one', () => {
    expect(summarizeUsage(days)).toEqual({ requests: 31, rejected: 10, peak: 40 });
  });

  it('stacks rejected on accepted, leaves empty days empty, and keeps a lone request visible', () => {
    const [empty, busy, quiet] = usageBars(days, 300, 100);
    expect(empty).toMatchObject({ acceptedHeight: 0, rejectedHeight: 0 });
    expect(busy).toMatchObject({ acceptedY: 25, acceptedHeight: 75, rejectedY: 0, rejectedHeight: 25 });
    expect(quiet?.acceptedHeight).toBe(2.5);
    expect(busy && busy.x - (empty?.x ?? 0)).toBe(100);
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

describe('relative', () => {
  it('speaks of the future and the past', () => {
    expect(relative(new Date(now + 5 * DAY).toISOString(), now)).toBe('in 5 days');
    expect(relative(new Date(now - 3 * 3_600_000).toISOString(), now)).toBe('3 hours ago');
    expect(relative(new Date(now + 10_000).toISOString(), now)).toBe('just now');
  });
});

describe('shortAgent', () => {
  it('keeps the product of a tool and names the browser of a browser', () => {
    expect(shortAgent('curl/8.5.0')).toBe('curl/8.5.0');
    expect(shortAgent('python-requests/2.31.0 extra')).toBe('python-requests/2.31.0');
    expect(shortAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36')).toBe('Chrome 131');
    expect(shortAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0')).toBe(
      'Edge 131',
    );
    expect(shortAgent('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0')).toBe('Firefox 133');
    expect(shortAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15')).toBe(
      'Safari 18',
    );
    expect(shortAgent(`my-very-long-integration-name-that-goes-on/1.0`)).toBe('my-very-long-integration-name-t…');
  });
});
