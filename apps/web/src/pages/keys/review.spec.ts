import { type ApiKey, DAY_MS } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { reviewKeys } from './review.js';

const now = Date.parse('2026-11-29T12:00:00Z');
const iso = (offsetDays: number) => new Date(now + offsetDays * DAY_MS).toISOString();
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
        [
          key({ status: 'revoked', revokedAt: iso(-1), revokeReason: 'user', expiresAt: null }),
          key({ status: 'expired', expiresAt: iso(-1), scope: 'read_write' }),
          key({ rotatedToId: 'x', graceEndsAt: iso(1), expiresAt: null }),
        ],
        now,
      ),
    ).toEqual([]);
  });
});
