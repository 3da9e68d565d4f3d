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
import { type ApiKeyRecord, ApiKeysRepository, type KeyHasher, RecordsRepository } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import { RateLimitService } from '../../common/rate-limit.service.js';
import { APP_CONFIG, DB, KEY_HASHER } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import type { Transactions } from '../api-keys/api-keys.service.js';
import type { Principal } from '../auth/access.decorator.js';

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
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'LEAK_REPORT_FLOOR_MS'>,
    @Inject(DB) private readonly db: Transactions,
    @Inject(KEY_HASHER) private readonly hasher: Pick<KeyHasher, 'candidates'>,
    private readonly limits: RateLimitService,
    @Inject(JobProducer) private readonly jobs: Pick<JobQueue, 'add'>,
    private readonly keys: ApiKeysRepository,
    private readonly records: RecordsRepository,
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
   * The one path every leak takes (reports, the extension, the scanner, GitHub's partner reports):
   * looks the keys up by hash and revokes each matched key's whole lineage (the key, its
   * self-rotated predecessors in grace and successors: whoever holds a key can self-rotate it) in
   * one statement per lineage, with audit, notification and follow-up per revoked key. `matched`
   * holds every stored key among them, whatever its status; `revoked` those this call revoked.
   */
  async revokeLeaked(
    keys: readonly string[],
    source: LeakOrigin,
    url: string | undefined,
    principal: Principal | null,
  ): Promise<{ matched: ApiKeyRecord[]; revoked: ApiKeyRecord[] }> {
    const matched = await this.keys.findByHashes(keys.flatMap((key) => this.hasher.candidates(key)));
    const place = describePlace(url);
    const lineages = new Map<string, ApiKeyRecord>();
    for (const key of matched) if (!lineages.has(key.lineageId)) lineages.set(key.lineageId, key);
    const revoked: ApiKeyRecord[] = [];
    for (const [lineageId, reported] of lineages) {
      for (const { key, auditEventId } of await this.revokeLineage(lineageId, reported.id, source, place, principal)) {
        revoked.push(key);
        await this.jobs.add(JobName.LeakFollowUp, { keyId: key.id, auditEventId });
      }
    }
    return { matched, revoked };
  }

  /** Marks one lineage leaked and revokes its active keys, each with its audit events and notification, in one transaction. */
  private revokeLineage(
    lineageId: string,
    reportedId: string,
    source: LeakOrigin,
    place: string | null,
    principal: Principal | null,
  ): Promise<Array<{ key: ApiKeyRecord; auditEventId: string }>> {
    const now = new Date();
    return this.db.transaction(async (tx) => {
      const done: Array<{ key: ApiKeyRecord; auditEventId: string }> = [];
      for (const key of await this.keys.revokeLineage(lineageId, reportedId, now, tx)) {
        const reporter = principal === null ? 'anonymous' : principal.userId === key.userId ? 'owner' : 'another_user';
        const details = { source, seenAt: place, reporter };
        const base = { userId: key.userId, apiKeyId: key.id, actor: 'leak_report' as const };
        const auditEventId = await this.records.audit(tx, { ...base, type: 'key.leak_reported', details }, now);
        await this.records.audit(tx, { ...base, type: 'key.revoked', details: { reason: 'leak_reported' } }, now);
        await this.records.notify(
          tx,
          {
            userId: key.userId,
            apiKeyId: key.id,
            type: 'key_leaked',
            data: { key: messageKey(key), seenAt: place, source, reportedAt: now.toISOString() },
            dedupeKey: effectKey.leak(key.id),
          },
          now,
        );
        done.push({ key, auditEventId });
      }
      return done;
    });
  }
}
