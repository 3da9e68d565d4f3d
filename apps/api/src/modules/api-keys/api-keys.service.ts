import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type ApiKey,
  type ApiKeyEnvironment,
  type ApiKeyScope,
  type CreateApiKeyRequestSchema,
  type CreateApiKeyResponse,
  type ListApiKeysQuery,
  type Page,
  type RotateApiKeyRequestSchema,
  type RotateApiKeyResponse,
  type SelfRotateRequestSchema,
  type UpdateApiKeyRequestSchema,
  type UsageQuery,
  type UsageResponse,
  DAY_MS,
  JobName,
  displayApiKey,
  effectKey,
  generateApiKey,
  messageKey,
  parseApiKey,
} from '@tradetally/contracts';
import { ApiKeyEntity, Db, type EntityManager, type KeyHasher, activeKeySql, writeAuditEvent, writeNotification } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import type { z } from 'zod';
import { ApiError } from '../../common/api-error.js';
import { pageNewestFirst } from '../../common/pagination.js';
import { APP_CONFIG, DB, KEY_HASHER } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import type { Principal } from '../auth/access.decorator.js';
import { statusOf, toApiKey } from './api-key.mapper.js';

interface NewKeyFields {
  userId: string;
  name: string;
  scope: ApiKeyScope;
  environment: ApiKeyEnvironment;
  expiresAt: Date | null;
  rotatedFromId: string | null;
  canary: boolean;
  selfRotate: boolean;
  allowedIps: string[] | null;
  madeBySelfRotation: boolean;
}

/** Who asked for a rotation: the owner's session, or the key itself (self-rotation). */
type RotationActor = 'user' | 'api_key';

/** Keys: made here, shown once, stored as HMAC-SHA256(pepper, key) with prefix and last4. */
@Injectable()
export class ApiKeysService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DB) private readonly db: Db,
    @Inject(KEY_HASHER) private readonly hasher: KeyHasher,
    @Inject(JobProducer) private readonly jobs: JobQueue,
  ) {}

  private show(key: ApiKeyEntity, now = Date.now()): ApiKey {
    return toApiKey(key, this.config.ROTATION_AGE_DAYS, now);
  }

  async create(userId: string, body: z.output<typeof CreateApiKeyRequestSchema>): Promise<CreateApiKeyResponse> {
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    const allowedIps = body.allowedIps ?? null;
    const { entity, secret } = this.mint({
      userId,
      name: body.name,
      scope: body.scope,
      environment: body.environment,
      expiresAt,
      rotatedFromId: null,
      canary: body.canary,
      selfRotate: body.selfRotate,
      allowedIps,
      madeBySelfRotation: false,
    });
    await this.db.transaction(async (manager) => {
      await manager.insert(ApiKeyEntity, entity);
      const details = {
        name: entity.name,
        scope: entity.scope,
        environment: entity.environment,
        expiresAt: expiresAt?.toISOString() ?? null,
        canary: body.canary,
        selfRotate: body.selfRotate,
        allowedIps,
      };
      await writeAuditEvent(manager, { userId, apiKeyId: entity.id, type: 'key.created', actor: 'user', details }, entity.createdAt);
    });
    return { apiKey: this.show(entity), secret };
  }

  async list(userId: string, query: ListApiKeysQuery): Promise<Page<ApiKey>> {
    const now = new Date();
    const qb = this.db.manager.createQueryBuilder(ApiKeyEntity, 'k').where('k.user_id = :userId', { userId });
    if (query.status === 'active') {
      qb.andWhere(activeKeySql('k', ':now'), { now });
    }
    return pageNewestFirst(qb, query, (row) => this.show(row, now.getTime()));
  }

  async get(userId: string, id: string): Promise<ApiKey> {
    return this.show(await this.find(userId, id));
  }

  /** The calling key itself (`GET /v1/api-keys/self`): only an API key may ask. */
  async self(principal: Principal): Promise<ApiKey> {
    return this.show(await this.find(principal.userId, this.callingKey(principal)));
  }

  /** Renames a key or changes its allowed addresses (`null` clears them); audited as `key.updated`. */
  async update(userId: string, id: string, body: z.output<typeof UpdateApiKeyRequestSchema>): Promise<ApiKey> {
    const key = await this.find(userId, id);
    const changes: Partial<ApiKeyEntity> = {};
    const details: Record<string, unknown> = {};
    if (body.name !== undefined && body.name !== key.name) {
      changes.name = body.name;
      details.name = { from: key.name, to: body.name };
    }
    if (body.allowedIps !== undefined) {
      changes.allowedIps = body.allowedIps === null ? null : JSON.stringify(body.allowedIps);
      details.allowedIps = { from: key.allowedIps ? (JSON.parse(key.allowedIps) as string[]) : null, to: body.allowedIps };
    }
    if (Object.keys(changes).length === 0) return this.show(key);
    await this.db.transaction(async (manager) => {
      await manager.update(ApiKeyEntity, { id, userId }, changes);
      await writeAuditEvent(manager, { userId, apiKeyId: id, type: 'key.updated', actor: 'user', details });
    });
    return this.show(await this.find(userId, id));
  }

  /** Revokes at once (reason `user`); revoking a revoked key answers it unchanged. */
  async revoke(userId: string, id: string): Promise<ApiKey> {
    const key = await this.find(userId, id);
    if (statusOf(key) === 'revoked') return this.show(key);
    const now = new Date();
    await this.db.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(ApiKeyEntity)
        .set({ revokedAt: now, revokeReason: 'user' })
        .where('id = :id AND user_id = :userId AND revoked_at IS NULL', { id, userId })
        .execute();
      if (Db.affected(result) === 1) {
        await writeAuditEvent(manager, { userId, apiKeyId: id, type: 'key.revoked', actor: 'user', details: { reason: 'user' } }, now);
      }
    });
    return this.show(await this.find(userId, id));
  }

  /** A rotation by the owner's session (`POST /v1/api-keys/:id/rotate`). */
  async rotate(userId: string, id: string, body: z.output<typeof RotateApiKeyRequestSchema>): Promise<RotateApiKeyResponse> {
    return this.rotateKey(await this.find(userId, id), body.gracePeriodMinutes, body.expiresAt, 'user');
  }

  /**
   * A key renewing itself (`POST /v1/api-keys/self/rotate`, opt-in per key with `selfRotate`). The
   * successor inherits `selfRotate` and `allowedIps`; the owner is told each time.
   */
  async rotateSelf(principal: Principal, body: z.output<typeof SelfRotateRequestSchema>): Promise<RotateApiKeyResponse> {
    const key = await this.find(principal.userId, this.callingKey(principal));
    if (!key.selfRotate) throw new ApiError('self_rotation_disabled', 'This key may not rotate itself; its owner can allow it in the settings page.');
    return this.rotateKey(key, body.gracePeriodMinutes, undefined, 'api_key');
  }

  /**
   * Makes a successor with the same name, scope and environment. The old key is claimed by one
   * conditional UPDATE (`rotated_to_id IS NULL AND revoked_at IS NULL …`) inside the transaction
   * that inserts the successor: of concurrent rotations exactly one succeeds, the rest roll back.
   */
  private async rotateKey(
    key: ApiKeyEntity,
    gracePeriodMinutes: number,
    requestedExpiry: string | null | undefined,
    actor: RotationActor,
  ): Promise<RotateApiKeyResponse> {
    if (key.canary || statusOf(key) !== 'active' || key.rotatedToId) throw this.notRotatable(key);
    const now = new Date();
    const graceEndsAt = new Date(now.getTime() + gracePeriodMinutes * 60_000);
    // Unless told otherwise, the successor gets the old key's lifetime, counted from now.
    let expiresAt: Date | null = null;
    if (requestedExpiry !== undefined) expiresAt = requestedExpiry === null ? null : new Date(requestedExpiry);
    else if (key.expiresAt) expiresAt = new Date(now.getTime() + (key.expiresAt.getTime() - key.createdAt.getTime()));
    const bySelf = actor === 'api_key';
    const { entity: successor, secret } = this.mint({
      userId: key.userId,
      name: key.name,
      scope: key.scope,
      environment: key.environment,
      expiresAt,
      rotatedFromId: key.id,
      canary: false,
      selfRotate: key.selfRotate,
      allowedIps: key.allowedIps ? (JSON.parse(key.allowedIps) as string[]) : null,
      madeBySelfRotation: bySelf,
    });
    const immediate = gracePeriodMinutes === 0;
    let notificationId: string | null = null;
    await this.db.transaction(async (manager) => {
      await manager.insert(ApiKeyEntity, successor);
      const claimed = await manager
        .createQueryBuilder()
        .update(ApiKeyEntity)
        .set({ rotatedToId: successor.id, graceEndsAt, ...(immediate ? { revokedAt: now, revokeReason: 'rotated' as const } : {}) })
        .where('id = :id AND user_id = :userId AND rotated_to_id IS NULL AND revoked_at IS NULL AND grace_ends_at IS NULL')
        .andWhere('(expires_at IS NULL OR expires_at > :now)')
        .setParameters({ id: key.id, userId: key.userId, now })
        .execute();
      if (Db.affected(claimed) !== 1) throw this.notRotatable(key);
      const base = { userId: key.userId, actor };
      await writeAuditEvent(
        manager,
        {
          ...base,
          apiKeyId: successor.id,
          type: 'key.created',
          details: {
            name: successor.name,
            scope: successor.scope,
            environment: successor.environment,
            expiresAt: expiresAt?.toISOString() ?? null,
            rotatedFromId: key.id,
            selfRotation: bySelf,
          },
        },
        now,
      );
      await writeAuditEvent(
        manager,
        {
          ...base,
          apiKeyId: key.id,
          type: 'key.rotated',
          details: { rotatedToId: successor.id, graceEndsAt: graceEndsAt.toISOString(), gracePeriodMinutes, selfRotation: bySelf },
        },
        now,
      );
      if (immediate) await writeAuditEvent(manager, { ...base, apiKeyId: key.id, type: 'key.revoked', details: { reason: 'rotated' } }, now);
      if (bySelf) notificationId = await this.notifySelfRotated(manager, key, successor, graceEndsAt, now);
    });
    if (!immediate) await this.jobs.add(JobName.FinishRotation, { keyId: key.id }, { at: graceEndsAt });
    if (notificationId) await this.jobs.add(JobName.SendEmail, { notificationId });
    return { apiKey: this.show(successor), secret, previous: this.show(await this.find(key.userId, key.id)) };
  }

  private notifySelfRotated(manager: EntityManager, key: ApiKeyEntity, successor: ApiKeyEntity, graceEndsAt: Date, now: Date): Promise<string> {
    return writeNotification(
      manager,
      {
        userId: key.userId,
        apiKeyId: successor.id,
        type: 'key_self_rotated',
        data: { key: messageKey(key), successor: displayApiKey(successor), rotatedAt: now.toISOString(), graceEndsAt: graceEndsAt.toISOString() },
        dedupeKey: effectKey.selfRotated(successor.id),
      },
      now,
    );
  }

  /** Per-UTC-day accepted and rejected uses, oldest first, zero days included. */
  async usage(userId: string, id: string, query: UsageQuery): Promise<UsageResponse> {
    await this.find(userId, id);
    const today = Math.floor(Date.now() / DAY_MS);
    const days = Array.from({ length: query.days }, (_, i) => new Date((today - query.days + 1 + i) * DAY_MS).toISOString().slice(0, 10));
    const rows = await this.db.query<{ day: string; requests: unknown; rejected: unknown }>(
      'SELECT day, requests, rejected FROM api_key_usage WHERE api_key_id = $1 AND day >= $2',
      [id, days[0]!],
    );
    const byDay = new Map(rows.map((row) => [row.day, row]));
    return {
      data: days.map((date) => {
        const row = byDay.get(date);
        return { date, requests: Number(row?.requests ?? 0), rejected: Number(row?.rejected ?? 0) };
      }),
    };
  }

  /**
   * Is this whole key one of the caller's own (any status)? 404 for another user's or an unknown
   * key, alike. Never a credential check: nothing is counted, nothing touched.
   */
  async lookup(userId: string, key: string): Promise<ApiKey> {
    const hashes = this.hasher.candidates(key);
    const found = await this.db.manager
      .createQueryBuilder(ApiKeyEntity, 'k')
      .where('k.key_hash IN (:...hashes)', { hashes })
      .andWhere('k.user_id = :userId', { userId })
      .getOne();
    if (!found) throw new ApiError('not_found', 'No such API key among yours.');
    return this.show(found);
  }

  private callingKey(principal: Principal): string {
    if (principal.kind !== 'api_key' || !principal.apiKeyId) throw new ApiError('api_key_required', 'Call this route with the API key itself, not a session.');
    return principal.apiKeyId;
  }

  private mint(fields: NewKeyFields): { entity: ApiKeyEntity; secret: string } {
    const secret = generateApiKey(fields.environment);
    const parts = parseApiKey(secret);
    if (!parts) throw new Error('generateApiKey made a key that does not parse');
    const entity: ApiKeyEntity = Object.assign(new ApiKeyEntity(), {
      id: randomUUID(),
      userId: fields.userId,
      name: fields.name,
      scope: fields.scope,
      environment: fields.environment,
      prefix: parts.prefix,
      last4: parts.last4,
      keyHash: this.hasher.hash(secret),
      pepperId: this.hasher.currentId,
      createdAt: new Date(),
      expiresAt: fields.expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      revokeReason: null,
      rotatedFromId: fields.rotatedFromId,
      rotatedToId: null,
      graceEndsAt: null,
      canary: fields.canary,
      selfRotate: fields.selfRotate,
      madeBySelfRotation: fields.madeBySelfRotation,
      allowedIps: fields.allowedIps ? JSON.stringify(fields.allowedIps) : null,
      lastUsedIp: null,
      lastUsedUserAgent: null,
    });
    return { entity, secret };
  }

  private async find(userId: string, id: string): Promise<ApiKeyEntity> {
    const key = await this.db.manager.findOneBy(ApiKeyEntity, { id, userId });
    if (!key) throw new ApiError('not_found', 'No such API key.');
    return key;
  }

  private notRotatable(key: ApiKeyEntity): ApiError {
    const why = key.canary ? 'it is a canary (decoy) key' : key.rotatedToId ? 'it was already rotated' : `it is ${statusOf(key)}`;
    return new ApiError('not_rotatable', `This key cannot be rotated: ${why}.`);
  }
}
