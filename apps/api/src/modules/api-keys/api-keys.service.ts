import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type ApiKey,
  type ApiKeyEnvironment,
  type ApiKeyScope,
  type ApiKeySelf,
  type CreateApiKeyRequestSchema,
  type CreateApiKeyResponse,
  type ListApiKeysQuery,
  type Page,
  type RotateApiKeyRequestSchema,
  type RotateApiKeyResponse,
  type SelfRotateRequestSchema,
  type SelfRotateResponse,
  type UpdateApiKeyRequestSchema,
  type UsageQuery,
  type UsageResponse,
  DAY_MS,
  HOUR_MS,
  JobName,
  canRotate,
  displayApiKey,
  effectKey,
  generateApiKey,
  messageKey,
  parseApiKey,
} from '@tradetally/contracts';
import { type ApiKeyRecord, ApiKeysRepository, type KeyHasher, RecordsRepository, type Tx, UsageRepository } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import type { z } from 'zod';
import { ApiError } from '../../common/api-error.js';
import { decodeCursor, toPage } from '../../common/pagination.js';
import { APP_CONFIG, DB, KEY_HASHER } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import type { Principal } from '../auth/access.decorator.js';
import { statusOf, toApiKey, toApiKeySelf, toSelfRotatedKey } from './api-key.mapper.js';

/** Runs work in one transaction (the process's Db; a double in unit specs). */
export interface Transactions {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/** What of the configuration the key service reads. */
export type ApiKeysConfig = Pick<AppConfig, 'ROTATION_AGE_DAYS' | 'SELF_ROTATE_PER_HOUR'>;

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
  /** The lineage a self-rotation's successor joins; unset, the key starts its own. */
  lineageId?: string;
}

/** Who asked for a rotation: the owner's session, or the key itself (self-rotation). */
type RotationActor = 'user' | 'api_key';

/** Keys: made here, shown once, stored as HMAC-SHA256(pepper, key) with prefix and last4. */
@Injectable()
export class ApiKeysService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ApiKeysConfig,
    @Inject(DB) private readonly db: Transactions,
    @Inject(KEY_HASHER) private readonly hasher: Pick<KeyHasher, 'hash' | 'currentId' | 'candidates'>,
    @Inject(JobProducer) private readonly jobs: Pick<JobQueue, 'add'>,
    private readonly keys: ApiKeysRepository,
    private readonly records: RecordsRepository,
    private readonly usageCounts: UsageRepository,
  ) {}

  private show(key: ApiKeyRecord, now = Date.now()): ApiKey {
    return toApiKey(key, this.config.ROTATION_AGE_DAYS, now);
  }

  async create(userId: string, body: z.output<typeof CreateApiKeyRequestSchema>): Promise<CreateApiKeyResponse> {
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    const allowedIps = body.allowedIps ?? null;
    const { key, secret } = this.mint(
      {
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
      },
      new Date(),
    );
    await this.db.transaction(async (tx) => {
      await this.keys.insert(key, tx);
      const details = {
        name: key.name,
        scope: key.scope,
        environment: key.environment,
        expiresAt: expiresAt?.toISOString() ?? null,
        canary: body.canary,
        selfRotate: body.selfRotate,
        allowedIps,
      };
      await this.records.audit(tx, { userId, apiKeyId: key.id, type: 'key.created', actor: 'user', details }, key.createdAt);
    });
    return { apiKey: this.show(key), secret };
  }

  async list(userId: string, query: ListApiKeysQuery): Promise<Page<ApiKey>> {
    const now = new Date();
    const rows = await this.keys.page(userId, {
      activeAt: query.status === 'active' ? now : undefined,
      cursor: decodeCursor(query.cursor),
      limit: query.limit,
    });
    return toPage(
      rows,
      query.limit,
      (row) => this.show(row, now.getTime()),
      (row) => ({ at: row.createdAt, id: row.id }),
    );
  }

  async get(userId: string, id: string): Promise<ApiKey> {
    return this.show(await this.find(userId, id));
  }

  /** The calling key itself (`GET /v1/api-keys/self`): only an API key may ask, and it sees its settings only. */
  async self(principal: Principal): Promise<ApiKeySelf> {
    return toApiKeySelf(await this.find(principal.userId, this.callingKey(principal)), this.config.ROTATION_AGE_DAYS);
  }

  /** Renames a key or changes its allowed addresses (`null` clears them); audited as `key.updated`. */
  async update(userId: string, id: string, body: z.output<typeof UpdateApiKeyRequestSchema>): Promise<ApiKey> {
    const key = await this.find(userId, id);
    const changes: { name?: string; allowedIps?: string[] | null } = {};
    const details: Record<string, unknown> = {};
    if (body.name !== undefined && body.name !== key.name) {
      changes.name = body.name;
      details.name = { from: key.name, to: body.name };
    }
    if (body.allowedIps !== undefined) {
      changes.allowedIps = body.allowedIps;
      details.allowedIps = { from: key.allowedIps, to: body.allowedIps };
    }
    if (Object.keys(changes).length === 0) return this.show(key);
    await this.db.transaction(async (tx) => {
      await this.keys.update(userId, id, changes, tx);
      await this.records.audit(tx, { userId, apiKeyId: id, type: 'key.updated', actor: 'user', details });
    });
    return this.show(await this.find(userId, id));
  }

  /** Revokes at once (reason `user`); revoking a revoked key answers it unchanged. */
  async revoke(userId: string, id: string): Promise<ApiKey> {
    const key = await this.find(userId, id);
    if (statusOf(key) === 'revoked') return this.show(key);
    const now = new Date();
    await this.db.transaction(async (tx) => {
      if (await this.keys.revoke(id, 'user', now, tx)) {
        await this.records.audit(tx, { userId, apiKeyId: id, type: 'key.revoked', actor: 'user', details: { reason: 'user' } }, now);
      }
    });
    return this.show(await this.find(userId, id));
  }

  /** A rotation by the owner's session (`POST /v1/api-keys/:id/rotate`): the successor starts a lineage of its own. */
  async rotate(userId: string, id: string, body: z.output<typeof RotateApiKeyRequestSchema>): Promise<RotateApiKeyResponse> {
    const { successor, secret, previous } = await this.rotateKey(await this.find(userId, id), body.gracePeriodMinutes, body.expiresAt, 'user');
    return { apiKey: this.show(successor), secret, previous: this.show(previous) };
  }

  /**
   * A key renewing itself (`POST /v1/api-keys/self/rotate`, opt-in per key with `selfRotate`). The
   * successor inherits `selfRotate` and `allowedIps` and joins the key's lineage; the owner is told
   * each time. The answer shows both keys as `self` does.
   */
  async rotateSelf(principal: Principal, body: z.output<typeof SelfRotateRequestSchema>): Promise<SelfRotateResponse> {
    const key = await this.find(principal.userId, this.callingKey(principal));
    if (!key.selfRotate) throw new ApiError('self_rotation_disabled', 'This key may not rotate itself; its owner can allow it in the settings page.');
    const { successor, secret, previous } = await this.rotateKey(key, body.gracePeriodMinutes, undefined, 'api_key');
    const age = this.config.ROTATION_AGE_DAYS;
    return { apiKey: toSelfRotatedKey(successor, age), secret, previous: toSelfRotatedKey(previous, age) };
  }

  /**
   * Makes a successor with the same name, scope and environment. The old key is claimed by one
   * conditional UPDATE inside the transaction that inserts the successor: of concurrent rotations
   * exactly one succeeds, the rest roll back. A self-rotation first takes its lineage's row, then
   * refuses a lineage marked leaked (401 api_key_revoked) and one that self-rotated
   * SELF_ROTATE_PER_HOUR times in the last hour (429), all in that same transaction: a leak report
   * marks the same row, so none of its lineage's keys outlives it.
   */
  private async rotateKey(
    key: ApiKeyRecord,
    gracePeriodMinutes: number,
    requestedExpiry: string | null | undefined,
    actor: RotationActor,
  ): Promise<{ successor: ApiKeyRecord; secret: string; previous: ApiKeyRecord }> {
    if (!canRotate(key)) throw this.notRotatable(key);
    const now = new Date();
    const graceEndsAt = new Date(now.getTime() + gracePeriodMinutes * 60_000);
    // Unless told otherwise, the successor gets the old key's lifetime, counted from now.
    let expiresAt: Date | null = null;
    if (requestedExpiry !== undefined) expiresAt = requestedExpiry === null ? null : new Date(requestedExpiry);
    else if (key.expiresAt) expiresAt = new Date(now.getTime() + (key.expiresAt.getTime() - key.createdAt.getTime()));
    const bySelf = actor === 'api_key';
    const { key: successor, secret } = this.mint(
      {
        userId: key.userId,
        name: key.name,
        scope: key.scope,
        environment: key.environment,
        expiresAt,
        rotatedFromId: key.id,
        canary: false,
        selfRotate: key.selfRotate,
        allowedIps: key.allowedIps,
        madeBySelfRotation: bySelf,
        lineageId: bySelf ? key.lineageId : undefined,
      },
      now,
    );
    const immediate = gracePeriodMinutes === 0;
    const notificationId = await this.db.transaction(async (tx) => {
      if (bySelf) await this.admitSelfRotation(key.lineageId, now, tx);
      await this.keys.insert(successor, tx);
      if (!(await this.keys.claimRotation(key.id, successor.id, graceEndsAt, immediate, now, tx))) throw this.notRotatable(key);
      const base = { userId: key.userId, actor };
      await this.records.audit(
        tx,
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
      await this.records.audit(
        tx,
        {
          ...base,
          apiKeyId: key.id,
          type: 'key.rotated',
          details: { rotatedToId: successor.id, graceEndsAt: graceEndsAt.toISOString(), gracePeriodMinutes, selfRotation: bySelf },
        },
        now,
      );
      if (immediate) await this.records.audit(tx, { ...base, apiKeyId: key.id, type: 'key.revoked', details: { reason: 'rotated' } }, now);
      return bySelf ? this.notifySelfRotated(tx, key, successor, graceEndsAt, now) : null;
    });
    if (!immediate) await this.jobs.add(JobName.FinishRotation, { keyId: key.id }, { at: graceEndsAt });
    if (notificationId) await this.jobs.add(JobName.SendEmail, { notificationId });
    return { successor, secret, previous: await this.find(key.userId, key.id) };
  }

  /**
   * Takes the lineage's row for the transaction; throws 401 api_key_revoked when the lineage was
   * reported leaked, 429 rate_limited (with Retry-After) when it self-rotated SELF_ROTATE_PER_HOUR
   * times in the last hour.
   */
  private async admitSelfRotation(lineageId: string, now: Date, tx: Tx): Promise<void> {
    const { leakedAt } = await this.keys.lockLineage(lineageId, tx);
    if (leakedAt) throw new ApiError('api_key_revoked', 'This key was reported leaked; its owner must make a new one.');
    const limit = this.config.SELF_ROTATE_PER_HOUR;
    const recent = await this.keys.selfRotationsSince(lineageId, new Date(now.getTime() - HOUR_MS), tx);
    if (recent.length < limit) return;
    // The next rotation is allowed once the oldest of the last `limit` leaves the hour.
    const freed = (recent[recent.length - limit] as Date).getTime() + HOUR_MS;
    const seconds = Math.max(1, Math.ceil((freed - now.getTime()) / 1000));
    throw new ApiError('rate_limited', `This key's lineage self-rotated ${limit} times in the last hour; try again later.`, undefined, {
      'Retry-After': String(seconds),
    });
  }

  private notifySelfRotated(tx: Tx, key: ApiKeyRecord, successor: ApiKeyRecord, graceEndsAt: Date, now: Date): Promise<string> {
    return this.records.notify(
      tx,
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
    const byDay = await this.usageCounts.since(id, days[0]!);
    return {
      data: days.map((date) => {
        const counts = byDay.get(date);
        return { date, requests: counts?.requests ?? 0, rejected: counts?.rejected ?? 0 };
      }),
    };
  }

  /**
   * Is this whole key one of the caller's own (any status)? 404 for another user's or an unknown
   * key, alike. Never a credential check: nothing is counted, nothing touched.
   */
  async lookup(userId: string, key: string): Promise<ApiKey> {
    const found = await this.keys.findOwnedByHashes(userId, this.hasher.candidates(key));
    if (!found) throw new ApiError('not_found', 'No such API key among yours.');
    return this.show(found);
  }

  private callingKey(principal: Principal): string {
    if (principal.kind !== 'api_key' || !principal.apiKeyId) throw new ApiError('api_key_required', 'Call this route with the API key itself, not a session.');
    return principal.apiKeyId;
  }

  private mint(fields: NewKeyFields, now: Date): { key: ApiKeyRecord; secret: string } {
    const secret = generateApiKey(fields.environment);
    const parts = parseApiKey(secret);
    if (!parts) throw new Error('generateApiKey made a key that does not parse');
    const id = randomUUID();
    const key: ApiKeyRecord = {
      id,
      userId: fields.userId,
      name: fields.name,
      scope: fields.scope,
      environment: fields.environment,
      prefix: parts.prefix,
      last4: parts.last4,
      keyHash: this.hasher.hash(secret),
      pepperId: this.hasher.currentId,
      createdAt: now,
      expiresAt: fields.expiresAt,
      lastUsedAt: null,
      lastUsedIp: null,
      lastUsedUserAgent: null,
      revokedAt: null,
      revokeReason: null,
      rotatedFromId: fields.rotatedFromId,
      rotatedToId: null,
      graceEndsAt: null,
      canary: fields.canary,
      selfRotate: fields.selfRotate,
      madeBySelfRotation: fields.madeBySelfRotation,
      lineageId: fields.lineageId ?? id,
      allowedIps: fields.allowedIps,
    };
    return { key, secret };
  }

  private async find(userId: string, id: string): Promise<ApiKeyRecord> {
    const key = await this.keys.findOwned(userId, id);
    if (!key) throw new ApiError('not_found', 'No such API key.');
    return key;
  }

  private notRotatable(key: ApiKeyRecord): ApiError {
    const why = key.canary ? 'it is a canary (decoy) key' : key.rotatedToId ? 'it was already rotated' : `it is ${statusOf(key)}`;
    return new ApiError('not_rotatable', `This key cannot be rotated: ${why}.`);
  }
}
