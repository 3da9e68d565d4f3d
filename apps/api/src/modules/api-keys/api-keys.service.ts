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
  generateApiKey,
  parseApiKey,
} from '@tradetally/contracts';
import { ApiKeyEntity, Db } from '@tradetally/database';
import type { z } from 'zod';
import { ApiError } from '../../common/api-error.js';
import { LifecycleQueueService } from '../../common/lifecycle-queue.service.js';
import { pageNewestFirst } from '../../common/pagination.js';
import { APP_CONFIG, DB } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import { AuditService } from '../audit/audit.service.js';
import { hashApiKey } from '../auth/credentials.service.js';
import { statusOf, toApiKey } from './api-key.mapper.js';

interface NewKeyFields {
  userId: string;
  name: string;
  scope: ApiKeyScope;
  environment: ApiKeyEnvironment;
  expiresAt: Date | null;
  rotatedFromId: string | null;
}

/** Keys: made here, shown once, stored as HMAC-SHA256(pepper, key) with prefix and last4. */
@Injectable()
export class ApiKeysService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DB) private readonly db: Db,
    private readonly audit: AuditService,
    private readonly queue: LifecycleQueueService,
  ) {}

  async create(userId: string, body: z.output<typeof CreateApiKeyRequestSchema>): Promise<CreateApiKeyResponse> {
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    const { entity, secret } = this.mint({ userId, name: body.name, scope: body.scope, environment: body.environment, expiresAt, rotatedFromId: null });
    await this.db.transaction(async (manager) => {
      await manager.insert(ApiKeyEntity, entity);
      await this.audit.record(manager, {
        userId,
        apiKeyId: entity.id,
        type: 'key.created',
        actor: 'user',
        details: { name: entity.name, scope: entity.scope, environment: entity.environment, expiresAt: expiresAt?.toISOString() ?? null },
      }, entity.createdAt);
    });
    return { apiKey: toApiKey(entity), secret };
  }

  async list(userId: string, query: ListApiKeysQuery): Promise<Page<ApiKey>> {
    const now = new Date();
    const qb = this.db.manager.createQueryBuilder(ApiKeyEntity, 'k').where('k.user_id = :userId', { userId });
    if (query.status === 'active') {
      qb.andWhere('k.revoked_at IS NULL')
        .andWhere('(k.grace_ends_at IS NULL OR k.grace_ends_at > :now)', { now })
        .andWhere('(k.expires_at IS NULL OR k.expires_at > :now)', { now });
    }
    return pageNewestFirst(qb, query, (row) => toApiKey(row, now.getTime()));
  }

  async get(userId: string, id: string): Promise<ApiKey> {
    return toApiKey(await this.find(userId, id));
  }

  /** Revokes at once (reason `user`); revoking a revoked key answers it unchanged. */
  async revoke(userId: string, id: string): Promise<ApiKey> {
    const key = await this.find(userId, id);
    if (statusOf(key) === 'revoked') return toApiKey(key);
    const now = new Date();
    await this.db.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(ApiKeyEntity)
        .set({ revokedAt: now, revokeReason: 'user' })
        .where('id = :id AND user_id = :userId AND revoked_at IS NULL', { id, userId })
        .execute();
      if (Db.affected(result) === 1) {
        await this.audit.record(manager, { userId, apiKeyId: id, type: 'key.revoked', actor: 'user', details: { reason: 'user' } }, now);
      }
    });
    return toApiKey(await this.find(userId, id));
  }

  /**
   * Makes a successor with the same name, scope and environment. The old key is claimed by one
   * conditional UPDATE (`rotated_to_id IS NULL AND revoked_at IS NULL …`) inside the transaction
   * that inserts the successor: of concurrent rotations exactly one succeeds, the rest roll back.
   */
  async rotate(userId: string, id: string, body: z.output<typeof RotateApiKeyRequestSchema>): Promise<RotateApiKeyResponse> {
    const key = await this.find(userId, id);
    if (statusOf(key) !== 'active' || key.rotatedToId) throw this.notRotatable(key);
    const now = new Date();
    const graceEndsAt = new Date(now.getTime() + body.gracePeriodMinutes * 60_000);
    // Unless told otherwise, the successor gets the old key's lifetime, counted from now.
    let expiresAt: Date | null = null;
    if (body.expiresAt !== undefined) expiresAt = body.expiresAt === null ? null : new Date(body.expiresAt);
    else if (key.expiresAt) expiresAt = new Date(now.getTime() + (key.expiresAt.getTime() - key.createdAt.getTime()));
    const { entity: successor, secret } = this.mint({ userId, name: key.name, scope: key.scope, environment: key.environment, expiresAt, rotatedFromId: key.id });
    const immediate = body.gracePeriodMinutes === 0;
    await this.db.transaction(async (manager) => {
      await manager.insert(ApiKeyEntity, successor);
      const claimed = await manager
        .createQueryBuilder()
        .update(ApiKeyEntity)
        .set({ rotatedToId: successor.id, graceEndsAt, ...(immediate ? { revokedAt: now, revokeReason: 'rotated' as const } : {}) })
        .where('id = :id AND user_id = :userId AND rotated_to_id IS NULL AND revoked_at IS NULL AND grace_ends_at IS NULL')
        .andWhere('(expires_at IS NULL OR expires_at > :now)')
        .setParameters({ id, userId, now })
        .execute();
      if (Db.affected(claimed) !== 1) throw this.notRotatable(key);
      const base = { userId, actor: 'user' as const };
      await this.audit.record(manager, { ...base, apiKeyId: successor.id, type: 'key.created', details: { name: successor.name, scope: successor.scope, environment: successor.environment, expiresAt: expiresAt?.toISOString() ?? null, rotatedFromId: key.id } }, now);
      await this.audit.record(manager, { ...base, apiKeyId: key.id, type: 'key.rotated', details: { rotatedToId: successor.id, graceEndsAt: graceEndsAt.toISOString(), gracePeriodMinutes: body.gracePeriodMinutes } }, now);
      if (immediate) await this.audit.record(manager, { ...base, apiKeyId: key.id, type: 'key.revoked', details: { reason: 'rotated' } }, now);
    });
    if (!immediate) await this.queue.finishRotation(key.id, graceEndsAt);
    return { apiKey: toApiKey(successor), secret, previous: toApiKey(await this.find(userId, id)) };
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
      keyHash: hashApiKey(this.config.pepper, secret),
      createdAt: new Date(),
      expiresAt: fields.expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      revokeReason: null,
      rotatedFromId: fields.rotatedFromId,
      rotatedToId: null,
      graceEndsAt: null,
    });
    return { entity, secret };
  }

  private async find(userId: string, id: string): Promise<ApiKeyEntity> {
    const key = await this.db.manager.findOneBy(ApiKeyEntity, { id, userId });
    if (!key) throw new ApiError('not_found', 'No such API key.');
    return key;
  }

  private notRotatable(key: ApiKeyEntity): ApiError {
    const why = key.rotatedToId ? 'it was already rotated' : `it is ${statusOf(key)}`;
    return new ApiError('not_rotatable', `This key cannot be rotated: ${why}.`);
  }
}
