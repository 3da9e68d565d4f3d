import { beforeAll, describe, expect, it } from 'vitest';
import { stubI18n } from '../testing/i18n.js';
import { ago, describeOwnKey } from './own-key.js';

beforeAll(stubI18n);

const NOW = Date.parse('2026-11-30T12:00:00Z');
const key = {
  name: 'Broker import',
  scope: 'read_write' as const,
  environment: 'live' as const,
  status: 'active' as const,
  lastUsedAt: '2026-11-30T09:59:00Z',
};

describe('describeOwnKey', () => {
  it('names the key, its scope and when it was last used', () => {
    expect(describeOwnKey(key, NOW)).toBe('Your key "Broker import" — read & write — used 2 hours ago');
  });

  it('says when a key was never used, is read only, or is no longer active', () => {
    expect(describeOwnKey({ ...key, scope: 'read', lastUsedAt: null, status: 'revoked' }, NOW)).toBe(
      'Your key "Broker import" — read only — never used — already revoked',
    );
  });
});

describe('ago', () => {
  it('uses the largest whole unit', () => {
    expect(ago('2026-11-30T11:59:30Z', NOW)).toBe('just now');
    expect(ago('2026-11-30T11:55:00Z', NOW)).toBe('5 minutes ago');
    expect(ago('2026-11-29T10:00:00Z', NOW)).toBe('yesterday');
    expect(ago('2026-09-30T12:00:00Z', NOW)).toBe('2 months ago');
  });
});
