import type { ApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { relative } from './format.js';
import { reviewKeys } from './review.js';

const DAY = 86_400_000;
const now = Date.parse('2026-11-29T12:00:00Z');
const key = (over: Partial<ApiKey>): ApiKey => ({
  id: 'k', name: 'k', scope: 'read', environment: 'live', prefix: 'tt_live_abcd', last4: 'wxyz', status: 'active',
  createdAt: new Date(now - 2 * DAY).toISOString(), expiresAt: new Date(now + 90 * DAY).toISOString(), lastUsedAt: new Date(now - DAY).toISOString(),
  revokedAt: null, revokeReason: null, rotatedFromId: null, rotatedToId: null, graceEndsAt: null, ...over,
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
        key({ id: 'idle', lastUsedAt: new Date(now - 31 * DAY).toISOString() }),
        key({ id: 'never', lastUsedAt: null, createdAt: new Date(now - 8 * DAY).toISOString() }),
        key({ id: 'soon', expiresAt: new Date(now + 5 * DAY).toISOString() }),
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

  it('ignores revoked, expired and already rotated keys', () => {
    expect(reviewKeys([key({ status: 'revoked', expiresAt: null }), key({ status: 'expired', scope: 'read_write' }), key({ rotatedToId: 'x', expiresAt: null })], now)).toEqual([]);
  });
});

describe('relative', () => {
  it('speaks of the future and the past', () => {
    expect(relative(new Date(now + 5 * DAY).toISOString(), now)).toBe('in 5 days');
    expect(relative(new Date(now - 3 * 3_600_000).toISOString(), now)).toBe('3 hours ago');
    expect(relative(new Date(now + 10_000).toISOString(), now)).toBe('just now');
  });
});
