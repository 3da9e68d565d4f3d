import type { ApiKey } from '@tradetally/contracts';
import { within } from './format.js';

/** One finding of "review your keys", with the fix the page offers in one click. */
export interface ReviewItem {
  kind: 'no_expiry' | 'read_write' | 'unused' | 'expiring';
  key: ApiKey;
  why: string;
  fix: 'rotate' | 'revoke' | 'replace';
}

const DAY = 86_400_000;

/**
 * What a careful trader should look at among their active keys: keys that never expire, keys that
 * can write, keys never used or unused for 30 days, keys expiring within 7 days. Most urgent first.
 */
export function reviewKeys(keys: ApiKey[], now = Date.now()): ReviewItem[] {
  const items: ReviewItem[] = [];
  for (const key of keys.filter((k) => k.status === 'active' && !k.rotatedToId)) {
    if (within(key.expiresAt, 7, now)) items.push({ kind: 'expiring', key, why: 'expires within 7 days', fix: 'replace' });
    if (!key.lastUsedAt && now - Date.parse(key.createdAt) > 7 * DAY) items.push({ kind: 'unused', key, why: 'has never been used', fix: 'revoke' });
    else if (key.lastUsedAt && now - Date.parse(key.lastUsedAt) > 30 * DAY) items.push({ kind: 'unused', key, why: 'unused for 30 days', fix: 'revoke' });
    if (!key.expiresAt) items.push({ kind: 'no_expiry', key, why: 'never expires', fix: 'rotate' });
    if (key.scope === 'read_write') items.push({ kind: 'read_write', key, why: 'can change your journal (read_write)', fix: 'rotate' });
  }
  const order = { expiring: 0, unused: 1, no_expiry: 2, read_write: 3 };
  return items.sort((a, b) => order[a.kind] - order[b.kind]);
}
