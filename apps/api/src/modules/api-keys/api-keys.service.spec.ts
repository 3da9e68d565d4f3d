import { HOUR_MS, DAY_MS } from '@tradetally/contracts';
import type { ApiKeyRecord, ApiKeysRepository, RecordsRepository, Tx, UsageRepository } from '@tradetally/database';
import { apiKeyRecord } from '@tradetally/database/testing';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../common/api-error.js';
import type { Principal } from '../auth/access.decorator.js';
import { ApiKeysService } from './api-keys.service.js';

const USER = '00000000-0000-4000-8000-000000000001';

function storedKey(fields: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return apiKeyRecord({ userId: USER, name: 'Broker sync', createdAt: new Date(Date.now() - 10 * DAY_MS), selfRotate: true, ...fields });
}

/** The service on doubles: keys in a map, a lineage's mark and its recent self-rotations as given. */
function sut(options: { key: ApiKeyRecord; leakedAt?: Date | null; recent?: Date[]; perHour?: number }) {
  const stored = new Map([[options.key.id, options.key]]);
  const inserted: ApiKeyRecord[] = [];
  const keys = {
    findOwned: async (userId: string, id: string) => {
      const key = stored.get(id);
      return key && key.userId === userId ? { ...key } : null;
    },
    insert: async (key: ApiKeyRecord) => void inserted.push(key),
    claimRotation: async (id: string, successorId: string, graceEndsAt: Date) => {
      const key = stored.get(id)!;
      stored.set(id, { ...key, rotatedToId: successorId, graceEndsAt });
      return true;
    },
    lockLineage: vi.fn(async () => ({ leakedAt: options.leakedAt ?? null })),
    selfRotationsSince: vi.fn(async () => options.recent ?? []),
  };
  const records = { audit: async () => crypto.randomUUID(), notify: async () => crypto.randomUUID() };
  const jobs = { add: vi.fn(async (..._args: unknown[]) => true) };
  const service = new ApiKeysService(
    { ROTATION_AGE_DAYS: 90, SELF_ROTATE_PER_HOUR: options.perHour ?? 6 },
    { transaction: (work) => work({} as Tx) },
    { hash: (key) => `h:${key}`, currentId: '1', candidates: (key) => [`h:${key}`] },
    jobs,
    keys as unknown as ApiKeysRepository,
    records as unknown as RecordsRepository,
    {} as UsageRepository,
  );
  const principal: Principal = { kind: 'api_key', userId: USER, sessionId: null, apiKeyId: options.key.id, scope: 'read', client: null };
  return { service, inserted, keys, principal };
}

describe('ApiKeysService rotations', () => {
  it('a successor inherits its predecessor’s lifetime, counted from its own creation', async () => {
    const createdAt = new Date(Date.now() - 10 * DAY_MS);
    const key = storedKey({ createdAt, expiresAt: new Date(createdAt.getTime() + 30 * DAY_MS) });
    const { service, inserted, principal } = sut({ key });
    await service.rotateSelf(principal, { gracePeriodMinutes: 60 });
    const successor = inserted[0]!;
    expect(successor.expiresAt!.getTime() - successor.createdAt.getTime()).toBe(30 * DAY_MS);
  });

  it('a self-rotation’s successor joins the lineage; a session rotation’s starts its own', async () => {
    const key = storedKey();
    const bySelf = sut({ key });
    await bySelf.service.rotateSelf(bySelf.principal, { gracePeriodMinutes: 60 });
    expect(bySelf.inserted[0]).toMatchObject({ lineageId: key.lineageId, madeBySelfRotation: true, rotatedFromId: key.id });
    const bySession = sut({ key: storedKey() });
    await bySession.service.rotate(USER, bySession.principal.apiKeyId!, { gracePeriodMinutes: 60 });
    const successor = bySession.inserted[0]!;
    expect(successor.lineageId).toBe(successor.id);
    expect(successor.madeBySelfRotation).toBe(false);
    expect(bySession.keys.lockLineage).not.toHaveBeenCalled();
  });

  it('refuses a self-rotation of a lineage marked leaked (401 api_key_revoked) and makes no successor', async () => {
    const { service, inserted, principal } = sut({ key: storedKey(), leakedAt: new Date() });
    const refused = await service.rotateSelf(principal, { gracePeriodMinutes: 60 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('api_key_revoked');
    expect((refused as ApiError).status).toBe(401);
    expect(inserted).toEqual([]);
  });

  it('refuses a self-rotation past SELF_ROTATE_PER_HOUR with 429 and the seconds until a slot frees', async () => {
    const now = Date.now();
    const recent = [new Date(now - 50 * 60_000), new Date(now - 10 * 60_000)];
    const { service, inserted, principal, keys } = sut({ key: storedKey(), recent, perHour: 2 });
    const refused = (await service.rotateSelf(principal, { gracePeriodMinutes: 60 }).catch((error: unknown) => error)) as ApiError;
    expect(refused.code).toBe('rate_limited');
    const retryAfter = Number(refused.headers['Retry-After']);
    expect(retryAfter).toBeGreaterThanOrEqual(9 * 60);
    expect(retryAfter).toBeLessThanOrEqual(10 * 60);
    expect(inserted).toEqual([]);
    const [, since] = keys.selfRotationsSince.mock.calls[0] as unknown as [string, Date];
    expect(now - since.getTime()).toBeGreaterThanOrEqual(HOUR_MS - 1000);
  });

  it('allows a self-rotation below the limit', async () => {
    const { service, inserted, principal } = sut({ key: storedKey(), recent: [new Date()], perHour: 2 });
    await service.rotateSelf(principal, { gracePeriodMinutes: 60 });
    expect(inserted).toHaveLength(1);
  });
});
