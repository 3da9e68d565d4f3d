import type { ApiKey, ApiKeyStatus } from '@tradetally/contracts';
import type { ApiKeyEntity } from '@tradetally/database';

/** A key's status against `now`: a rotated key past its grace end is revoked even before the worker records it. */
export function statusOf(key: ApiKeyEntity, now = Date.now()): ApiKeyStatus {
  if (key.revokedAt && key.revokedAt.getTime() <= now) return 'revoked';
  if (key.graceEndsAt && key.graceEndsAt.getTime() <= now) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** A key as the API shows it: never the hash, never the secret. */
export function toApiKey(key: ApiKeyEntity, now = Date.now()): ApiKey {
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
  };
}
