import {
  API_KEY_SELF_FIELDS,
  type ApiKey,
  type ApiKeySelf,
  type ApiKeyStatus,
  DAY_MS,
  SELF_ROTATED_KEY_FIELDS,
  type SelfRotatedKey,
  keyStatus,
} from '@tradetally/contracts';
import type { ApiKeyRecord } from '@tradetally/database';

/** A stored key's status against `now` (the contracts' keyStatus). */
export function statusOf(key: ApiKeyRecord, now = Date.now()): ApiKeyStatus {
  return keyStatus(key, now);
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** `createdAt` + the rotation age; null when that is off (0) or the key is a canary. */
export function rotationDueAt(key: ApiKeyRecord, rotationAgeDays: number): Date | null {
  if (rotationAgeDays <= 0 || key.canary) return null;
  return new Date(key.createdAt.getTime() + rotationAgeDays * DAY_MS);
}

/** A key as the API shows it to its owner's session: never the hash, never the secret. */
export function toApiKey(key: ApiKeyRecord, rotationAgeDays: number, now = Date.now()): ApiKey {
  const graceOver = !key.revokedAt && key.graceEndsAt !== null && key.graceEndsAt.getTime() <= now;
  return {
    id: key.id,
    name: key.name,
    scope: key.scope,
    environment: key.environment,
    prefix: key.prefix,
    last4: key.last4,
    status: statusOf(key, now),
    createdAt: key.createdAt.toISOString(),
    expiresAt: iso(key.expiresAt),
    lastUsedAt: iso(key.lastUsedAt),
    // A grace end that passed is a revocation, whether or not the worker has written it down yet.
    revokedAt: graceOver ? iso(key.graceEndsAt) : iso(key.revokedAt),
    revokeReason: graceOver ? 'rotated' : key.revokeReason,
    rotatedFromId: key.rotatedFromId,
    rotatedToId: key.rotatedToId,
    graceEndsAt: iso(key.graceEndsAt),
    canary: key.canary,
    selfRotate: key.selfRotate,
    allowedIps: key.allowedIps,
    lastUsedIp: key.lastUsedIp,
    lastUsedUserAgent: key.lastUsedUserAgent,
    rotationDueAt: iso(rotationDueAt(key, rotationAgeDays)),
  };
}

/** A key as it is shown to a holder of the key itself (ApiKeySelfSchema): its settings, never where or by what it was last used. */
export function toApiKeySelf(key: ApiKeyRecord, rotationAgeDays: number, now = Date.now()): ApiKeySelf {
  const full = toApiKey(key, rotationAgeDays, now);
  return Object.fromEntries(API_KEY_SELF_FIELDS.map((field) => [field, full[field]])) as ApiKeySelf;
}

/** A key as a self-rotation answers it (SelfRotatedKeySchema): the holder's view plus `rotatedFromId`. */
export function toSelfRotatedKey(key: ApiKeyRecord, rotationAgeDays: number, now = Date.now()): SelfRotatedKey {
  const full = toApiKey(key, rotationAgeDays, now);
  return Object.fromEntries(SELF_ROTATED_KEY_FIELDS.map((field) => [field, full[field]])) as SelfRotatedKey;
}
