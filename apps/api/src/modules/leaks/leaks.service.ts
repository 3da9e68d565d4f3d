import { Inject, Injectable } from '@nestjs/common';
import {
  type LeakReportRequest,
  type LeakReportResponse,
  displayApiKey,
  findApiKeys,
  isValidApiKey,
  redactApiKeys,
} from '@tradetally/contracts';
import { ApiKeyEntity, Db } from '@tradetally/database';
import { In } from 'typeorm';
import { LifecycleQueueService } from '../../common/lifecycle-queue.service.js';
import { RateLimitService } from '../../common/rate-limit.service.js';
import { APP_CONFIG, DB } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import { statusOf } from '../api-keys/api-key.mapper.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/access.decorator.js';
import { hashApiKey } from '../auth/credentials.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';

const LOOKUP_CHUNK = 500;

/** Where a report said the key was seen, safe to store and show: keys scrubbed, no query string. */
function describePlace(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return redactApiKeys(`${parsed.origin}${parsed.pathname}`);
  } catch {
    return null;
  }
}

/**
 * Leak reports. Every well-formed report gets the same answer whether or not a key matched, so the
 * route tells an anonymous caller nothing; a matched active key is revoked at once.
 */
@Injectable()
export class LeaksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DB) private readonly db: Db,
    private readonly limits: RateLimitService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly queue: LifecycleQueueService,
  ) {}

  async report(body: LeakReportRequest, principal: Principal | null, address: string): Promise<LeakReportResponse> {
    await this.limits.consume('leaks', address);
    const keys = new Set<string>();
    if (body.key !== undefined && isValidApiKey(body.key.trim())) keys.add(body.key.trim());
    if (body.text !== undefined) for (const found of findApiKeys(body.text)) keys.add(found.key);

    const hashes = [...keys].map((key) => hashApiKey(this.config.pepper, key));
    const matched: ApiKeyEntity[] = [];
    for (let i = 0; i < hashes.length; i += LOOKUP_CHUNK) {
      matched.push(...(await this.db.manager.findBy(ApiKeyEntity, { keyHash: In(hashes.slice(i, i + LOOKUP_CHUNK)) })));
    }
    const place = describePlace(body.url);
    const revoked: ApiKeyEntity[] = [];
    for (const key of matched) {
      if (statusOf(key) !== 'active') continue;
      const auditEventId = await this.revoke(key, body.source, place, principal);
      if (auditEventId) {
        revoked.push(key);
        await this.queue.leakFollowUp(key.id, auditEventId);
      }
    }
    if (principal?.kind !== 'session') return { received: true };
    return { received: true, revoked: revoked.filter((key) => key.userId === principal.userId).map((key) => key.id) };
  }

  /** Revokes one key for a leak with its audit events and notification; null when another report won. */
  private revoke(key: ApiKeyEntity, source: LeakReportRequest['source'], place: string | null, principal: Principal | null): Promise<string | null> {
    const now = new Date();
    return this.db.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(ApiKeyEntity)
        .set({ revokedAt: now, revokeReason: 'leak_reported' })
        .where('id = :id AND revoked_at IS NULL', { id: key.id })
        .execute();
      if (Db.affected(result) !== 1) return null;
      const reporter = principal === null ? 'anonymous' : principal.userId === key.userId ? 'owner' : 'another_user';
      const details = { source, seenAt: place, reporter };
      const base = { userId: key.userId, apiKeyId: key.id, actor: 'leak_report' as const };
      const auditEventId = await this.audit.record(manager, { ...base, type: 'key.leak_reported', details }, now);
      await this.audit.record(manager, { ...base, type: 'key.revoked', details: { reason: 'leak_reported' } }, now);
      const where = place ? ` on ${place}` : source === 'paste' ? ' in a paste' : '';
      await this.notifications.create(
        manager,
        {
          userId: key.userId,
          apiKeyId: key.id,
          type: 'key_leaked',
          title: `API key "${key.name}" was exposed and has been revoked`,
          body:
            `Your ${key.scope} ${key.environment} key "${key.name}" (${displayApiKey(key)}) was reported${where} ` +
            `on ${now.toISOString().slice(0, 10)} and revoked at once. Integrations using it now get 401; ` +
            'create a replacement key in your API key settings.',
          dedupeKey: `leak-${key.id}`,
        },
        now,
      );
      return auditEventId;
    });
  }
}
