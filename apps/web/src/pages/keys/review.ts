import { type ApiKey, DAY_MS, DEFAULT_UNUSED_DAYS, EXPIRING_SOON_DAYS, canRotate, isExpiringSoon } from '@tradetally/contracts';

/** One finding of "review your keys", with the fix the page offers in one click. */
export interface ReviewItem {
  kind: 'no_expiry' | 'read_write' | 'unused' | 'expiring' | 'rotation_due';
  key: ApiKey;
  why: string;
  /** `self_rotate`: a replacement that rotates itself, since `selfRotate` is chosen only at creation. */
  fix: 'rotate' | 'revoke' | 'replace' | 'self_rotate';
}

/** How close a rotation date must be before the review speaks of it, in days. */
const ROTATION_NOTICE_DAYS = 7;

const days = (ms: number) => Math.floor(ms / DAY_MS);
const count = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/**
 * What a careful trader should look at among the keys they could still rotate (contracts'
 * `canRotate`: active, not a decoy, not rotated already): keys expiring soon (`isExpiringSoon`), keys
 * nobody used for 30 days (from their last use, or their creation), keys due for rotation that could
 * rotate themselves, keys that never expire, keys that can write. Most urgent first.
 * Decoy keys are left out by that rule too: they are meant to lie unused forever, and can be neither rotated nor replaced.
 */
export function reviewKeys(keys: ApiKey[], now = Date.now()): ReviewItem[] {
  const items: ReviewItem[] = [];
  for (const key of keys.filter((k) => canRotate(k, now))) {
    if (isExpiringSoon(key, now)) items.push({ kind: 'expiring', key, why: `expires within ${count(EXPIRING_SOON_DAYS)}`, fix: 'replace' });
    const idle = now - Date.parse(key.lastUsedAt ?? key.createdAt);
    if (idle >= DEFAULT_UNUSED_DAYS * DAY_MS) {
      const why = key.lastUsedAt ? `has not been used for ${count(days(idle))}` : `has never been used in the ${count(days(idle))} since it was made`;
      items.push({ kind: 'unused', key, why, fix: 'revoke' });
    }
    if (key.rotationDueAt && !key.selfRotate && Date.parse(key.rotationDueAt) - now <= ROTATION_NOTICE_DAYS * DAY_MS) {
      const due = Date.parse(key.rotationDueAt);
      const late = days(now - due);
      const when =
        due > now
          ? `is due for rotation in ${count(Math.ceil((due - now) / DAY_MS))}`
          : late === 0
            ? 'is due for rotation today'
            : `was due for rotation ${count(late)} ago`;
      items.push({ kind: 'rotation_due', key, why: `${when}: a key that rotates itself never waits for you`, fix: 'self_rotate' });
    }
    if (!key.expiresAt) items.push({ kind: 'no_expiry', key, why: 'never expires', fix: 'rotate' });
    if (key.scope === 'read_write') items.push({ kind: 'read_write', key, why: 'can change your journal (read_write)', fix: 'rotate' });
  }
  const order = { expiring: 0, unused: 1, rotation_due: 2, no_expiry: 3, read_write: 4 };
  return items.sort((a, b) => order[a.kind] - order[b.kind]);
}
