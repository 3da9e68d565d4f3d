import { describe, expect, it } from 'vitest';
import { canRotate, isExpiringSoon, keyStatus } from './key-status.js';
import { DAY_MS } from './time.js';

describe('keyStatus', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  const at = (offsetMs: number) => new Date(now + offsetMs);

  it('is revoked once revoked or once a grace end passed, expired once past expiresAt, else active', () => {
    expect(keyStatus({ revokedAt: null, graceEndsAt: null, expiresAt: null }, now)).toBe('active');
    expect(keyStatus({ revokedAt: at(-1), graceEndsAt: null, expiresAt: null }, now)).toBe('revoked');
    expect(keyStatus({ revokedAt: null, graceEndsAt: at(0), expiresAt: at(DAY_MS) }, now)).toBe('revoked');
    expect(keyStatus({ revokedAt: null, graceEndsAt: at(1), expiresAt: at(-1) }, now)).toBe('expired');
    expect(keyStatus({ revokedAt: null, graceEndsAt: null, expiresAt: new Date(now).toISOString() }, now)).toBe('expired');
    expect(keyStatus({ revokedAt: null, graceEndsAt: at(1000).toISOString(), expiresAt: undefined }, now)).toBe('active');
  });

  it('calls an active key expiring within 7 days "soon", and nothing else', () => {
    expect(isExpiringSoon({ revokedAt: null, graceEndsAt: null, expiresAt: at(7 * DAY_MS) }, now)).toBe(true);
    expect(isExpiringSoon({ revokedAt: null, graceEndsAt: null, expiresAt: at(7 * DAY_MS + 1) }, now)).toBe(false);
    expect(isExpiringSoon({ revokedAt: at(-1), graceEndsAt: null, expiresAt: at(DAY_MS) }, now)).toBe(false);
    expect(isExpiringSoon({ revokedAt: null, graceEndsAt: null, expiresAt: null }, now)).toBe(false);
  });

  const fresh = { revokedAt: null, graceEndsAt: null, expiresAt: null, canary: false, rotatedToId: null };

  it('lets an active key that is neither a decoy nor already rotated be rotated', () => {
    expect(canRotate(fresh, now)).toBe(true);
    expect(canRotate({ ...fresh, expiresAt: at(DAY_MS).toISOString() }, now)).toBe(true);
  });

  it('refuses to rotate a decoy, a key already rotated, and a revoked or expired key', () => {
    expect(canRotate({ ...fresh, canary: true }, now)).toBe(false);
    expect(canRotate({ ...fresh, rotatedToId: 'successor', graceEndsAt: at(DAY_MS) }, now)).toBe(false);
    expect(canRotate({ ...fresh, revokedAt: at(-1) }, now)).toBe(false);
    expect(canRotate({ ...fresh, expiresAt: at(-1) }, now)).toBe(false);
  });
});
