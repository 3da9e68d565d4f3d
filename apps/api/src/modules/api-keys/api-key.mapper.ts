import { type ApiKey, type ApiKeyStatus, DAY_MS, keyStatus } from '@tradetally/contracts';
import type { ApiKeyEntity } from '@tradetally/database';

/** A stored key's status against `now` (the contracts' keyStatus). */
export function statusOf(key: ApiKeyEntity, now = Date.now()): ApiKeyStatus {
  return keyStatus(key, now);
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** `createdAt` + the rotation age; null when that is off (0) or the key is a canary. */
export function rotationDueAt(key: ApiKeyEntity, rotationAgeDays: number): Date | null {
  if (rotationAgeDays <= 0 || key.canary) return null;
  return new Date(key.createdAt.getTime() + rotationAgeDays * DAY_MS);
}

/** A key as the API shows it: never the hash, never the secret. */
export function toApiKey(key: ApiKeyEntity, rotationAgeDays: number, now = Date.now()): ApiKey {
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
    canary: Boolean(key.canary),
    selfRotate: Boolean(key.selfRotate),
    allowedIps: key.allowedIps ? (JSON.parse(key.allowedIps) as string[]) : null,
    lastUsedIp: key.lastUsedIp,
    lastUsedUserAgent: key.lastUsedUserAgent,
    rotationDueAt: iso(rotationDueAt(key, rotationAgeDays)),
  };
}
