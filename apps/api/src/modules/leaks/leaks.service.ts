import { Inject, Injectable } from '@nestjs/common';
import {
  type LeakOrigin,
  type LeakReportRequest,
  type LeakReportResponse,
  JobName,
  effectKey,
  findApiKeys,
  isValidApiKey,
  messageKey,
  redactApiKeys,
} from '@tradetally/contracts';
import { ApiKeyEntity, Db, type KeyHasher, writeAuditEvent, writeNotification } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import { In } from 'typeorm';
import { RateLimitService } from '../../common/rate-limit.service.js';
import { APP_CONFIG, DB, KEY_HASHER } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import { statusOf } from '../api-keys/api-key.mapper.js';
import type { Principal } from '../auth/access.decorator.js';

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
    @Inject(KEY_HASHER) private readonly hasher: KeyHasher,
    private readonly limits: RateLimitService,
    @Inject(JobProducer) private readonly jobs: JobQueue,
  ) {}

  async report(body: LeakReportRequest, principal: Principal | null, address: string): Promise<LeakReportResponse> {
    await this.limits.consume('leaks', address);
    const started = performance.now();
    const keys = new Set<string>();
    if (body.key !== undefined && isValidApiKey(body.key.trim())) keys.add(body.key.trim());
    if (body.text !== undefined) for (const found of findApiKeys(body.text)) keys.add(found.key);
    const { revoked } = await this.revokeLeaked([...keys], body.source, body.url, principal);
    // No oracle in the timing either (security.md): a revoke costs a transaction that a miss does
    // not, so every answer waits out the same floor, well above what a revoke takes.
    const left = this.config.LEAK_REPORT_FLOOR_MS - (performance.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    if (principal?.kind !== 'session') return { received: true };
    return { received: true, revoked: revoked.filter((key) => key.userId === principal.userId).map((key) => key.id) };
  }

  /**
   * The one path every leak takes (reports, the scanner, GitHub's partner reports): looks the keys
   * up by hash, revokes the active ones with audit, notification and follow-up. `matched` holds
   * every stored key among them, whatever its status; `revoked` those this call revoked.
   */
  async revokeLeaked(
    keys: readonly string[],
    source: LeakOrigin,
    url: string | undefined,
    principal: Principal | null,
  ): Promise<{ matched: ApiKeyEntity[]; revoked: ApiKeyEntity[] }> {
    const hashes = keys.flatMap((key) => this.hasher.candidates(key));
    const matched: ApiKeyEntity[] = [];
    for (let i = 0; i < hashes.length; i += LOOKUP_CHUNK) {
      matched.push(...(await this.db.manager.findBy(ApiKeyEntity, { keyHash: In(hashes.slice(i, i + LOOKUP_CHUNK)) })));
    }
    const place = describePlace(url);
    const revoked: ApiKeyEntity[] = [];
    for (const key of [...matched, ...(await this.selfRotatedSuccessors(matched))]) {
      if (statusOf(key) !== 'active') continue;
      const auditEventId = await this.revoke(key, source, place, principal);
      if (auditEventId) {
        revoked.push(key);
        await this.jobs.add(JobName.LeakFollowUp, { keyId: key.id, auditEventId });
      }
    }
    return { matched, revoked };
  }

  /**
   * Every key reached from `keys` through self-rotations (http-api.md: whoever holds a key can
   * self-rotate it, so a leaked key's self-made successors are as leaked as it is). Successors made
   * by the owner's session end the chain.
   */
  private async selfRotatedSuccessors(keys: ApiKeyEntity[]): Promise<ApiKeyEntity[]> {
    const found: ApiKeyEntity[] = [];
    const seen = new Set(keys.map((key) => key.id));
    let frontier = [...seen];
    while (frontier.length > 0 && seen.size < 10_000) {
      const next = await this.db.manager.findBy(ApiKeyEntity, { rotatedFromId: In(frontier.slice(0, LOOKUP_CHUNK)), madeBySelfRotation: true });
      frontier = frontier.slice(LOOKUP_CHUNK);
      for (const key of next) {
        if (seen.has(key.id)) continue;
        seen.add(key.id);
        found.push(key);
        frontier.push(key.id);
      }
    }
    return found;
  }

  /** Revokes one key for a leak with its audit events and notification; null when another report won. */
  private revoke(key: ApiKeyEntity, source: LeakOrigin, place: string | null, principal: Principal | null): Promise<string | null> {
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
      const auditEventId = await writeAuditEvent(manager, { ...base, type: 'key.leak_reported', details }, now);
      await writeAuditEvent(manager, { ...base, type: 'key.revoked', details: { reason: 'leak_reported' } }, now);
      await writeNotification(
        manager,
        {
          userId: key.userId,
          apiKeyId: key.id,
          type: 'key_leaked',
          data: { key: messageKey(key), seenAt: place, source, reportedAt: now.toISOString() },
          dedupeKey: effectKey.leak(key.id),
        },
        now,
      );
      return auditEventId;
    });
  }
}
