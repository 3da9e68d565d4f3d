import type { ApiKeyStatus } from './api-keys.js';
import { DAY_MS } from './time.js';

/** A time as the API, the worker or a page holds it: a Date, an ISO string, or nothing. */
type When = Date | string | null | undefined;

/** The times a key's status is computed from. */
export interface KeyTimes {
  revokedAt: When;
  graceEndsAt: When;
  expiresAt: When;
}

const ms = (when: When): number | null => (when === null || when === undefined ? null : typeof when === 'string' ? Date.parse(when) : when.getTime());

/**
 * A key's status at `now` (http-api.md: always computed against the current time): revoked once
 * revoked or once a rotation's grace has ended, whether or not the worker has recorded it; else
 * expired once past `expiresAt`; else active. The one definition; the SQL form is
 * `ACTIVE_KEY_SQL` in @tradetally/database.
 */
export function keyStatus(key: KeyTimes, now = Date.now()): ApiKeyStatus {
  const revokedAt = ms(key.revokedAt);
  const graceEndsAt = ms(key.graceEndsAt);
  if ((revokedAt !== null && revokedAt <= now) || (graceEndsAt !== null && graceEndsAt <= now)) return 'revoked';
  const expiresAt = ms(key.expiresAt);
  if (expiresAt !== null && expiresAt <= now) return 'expired';
  return 'active';
}

/** How close an expiry counts as "soon" in the popup, the page's review and the extension. */
export const EXPIRING_SOON_DAYS = 7;

/** True for an active key that expires within EXPIRING_SOON_DAYS. */
export function isExpiringSoon(key: KeyTimes, now = Date.now()): boolean {
  const expiresAt = ms(key.expiresAt);
  return keyStatus(key, now) === 'active' && expiresAt !== null && expiresAt - now <= EXPIRING_SOON_DAYS * DAY_MS;
}

/** What rotating a key needs besides its times: whether it is a decoy, and its successor if already rotated. */
export interface RotatableKey extends KeyTimes {
  canary: boolean;
  rotatedToId: string | null | undefined;
}

/**
 * True when a key may be rotated at `now`: it is active, not a canary (a decoy grants nothing, so
 * a successor would be a real key planted by mistake) and not rotated already (its successor is
 * the one to rotate). The page offers "Rotate" by it and the API refuses `not_rotatable` by it.
 */
export function canRotate(key: RotatableKey, now = Date.now()): boolean {
  return !key.canary && !key.rotatedToId && keyStatus(key, now) === 'active';
}
