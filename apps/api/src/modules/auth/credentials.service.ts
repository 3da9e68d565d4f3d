import { Inject, Injectable, Logger } from '@nestjs/common';
import { CANARY_ALERT_WINDOW_MS, JobName, MAX_USER_AGENT_LENGTH, keyStatus, parseApiKey } from '@tradetally/contracts';
import { ApiKeysRepository, type Db, type KeyCheckRecord, type KeyHasher, RecordsRepository, SessionsRepository, hashOpaqueToken } from '@tradetally/database';
import { JobProducer, type JobQueue } from '@tradetally/database/jobs';
import { ApiError } from '../../common/api-error.js';
import { compileAllowedIps } from '../../common/client-address.js';
import { MetricsService } from '../../common/metrics.service.js';
import { RateLimitService } from '../../common/rate-limit.service.js';
import { DB, KEY_HASHER } from '../../common/tokens.js';
import { UsageCounter } from '../../common/usage-counter.service.js';
import type { Principal } from './access.decorator.js';

/** How stale `lastUsedAt` (and its address and client) may get before a use writes it again. */
const LAST_USED_PRECISION_MS = 60_000;

/** What the guard knows of a request that a key check needs: where it came from and what it asked. */
export interface RequestInfo {
  ip: string;
  userAgent: string | null;
  method: string;
  path: string;
}

/** True when a value starts like an API key: it is then checked as one, whatever follows. */
export function looksLikeApiKey(value: string): boolean {
  return value.startsWith('tt_live_') || value.startsWith('tt_test_');
}

/** The stored form of a session token (random, so a plain SHA-256 suffices). */
export const hashSessionToken = hashOpaqueToken;

/**
 * Turns a credential into a Principal. A key check is one indexed lookup by hash (no scan, no slow
 * hash, no cache that could miss a revoke made by another instance); expiry, revocation, grace
 * ends and allowed addresses are decided here, against the current time, so they never wait for a
 * job. A canary key is answered exactly as an unknown key, and its use is recorded on the side.
 * Refusals of a known key are counted here as rejected uses; the guard counts the accepted ones,
 * once the route's scope has been checked too.
 */
@Injectable()
export class CredentialsService {
  private readonly log = new Logger('Credentials');
  /** Keys whose lastUsedAt this process wrote recently: no second write within the minute. */
  private readonly lastUsedWrites = new Map<string, number>();
  /** Compiled allowedIps tests by their stored JSON text: a handful of distinct lists, parsed once. */
  private readonly allowLists = new Map<string, (address: string) => boolean>();

  constructor(
    @Inject(DB) private readonly db: Db,
    private readonly keys: ApiKeysRepository,
    private readonly sessions: SessionsRepository,
    private readonly records: RecordsRepository,
    @Inject(KEY_HASHER) private readonly hasher: KeyHasher,
    private readonly limits: RateLimitService,
    private readonly metrics: MetricsService,
    private readonly usage: UsageCounter,
    @Inject(JobProducer) private readonly jobs: JobQueue,
  ) {}

  async authenticate(credential: string, request: RequestInfo): Promise<Principal> {
    const blocked = this.limits.blockedForCredentials(request.ip);
    if (blocked) {
      this.metrics.keyChecks.inc({ result: 'rate_limited' });
      throw blocked;
    }
    try {
      return looksLikeApiKey(credential) ? await this.checkKey(credential, request) : await this.checkSession(credential);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        const limited = await this.limits.failedCredential(request.ip);
        if (limited) throw limited;
      }
      throw error;
    }
  }

  /** The caller of an `optional` route: null for anything that is not a valid credential; never counted, never throws 401. */
  async tryAuthenticate(credential: string, request: RequestInfo): Promise<Principal | null> {
    try {
      return looksLikeApiKey(credential) ? await this.checkKey(credential, request) : await this.checkSession(credential);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.code === 'ip_not_allowed')) return null;
      throw error;
    }
  }

  private async checkKey(key: string, request: RequestInfo): Promise<Principal> {
    if (!parseApiKey(key)) return this.reject('invalid', 'invalid_api_key', 'The API key is malformed or its checksum is wrong.');
    const hashes = this.hasher.candidates(key);
    const row = await this.keys.findForCheck(hashes);
    if (!row) return this.reject('invalid', 'invalid_api_key', 'The API key is not known.');
    if (row.canary) {
      // Same status, body and path as an unknown key; the alert is written without being awaited.
      this.canaryUsed(row, request);
      return this.reject('invalid', 'invalid_api_key', 'The API key is not known.');
    }
    const now = Date.now();
    const status = keyStatus(row, now);
    if (status !== 'active') {
      this.usage.rejected(row.id);
      return status === 'revoked'
        ? this.reject('revoked', 'api_key_revoked', 'The API key was revoked.')
        : this.reject('expired', 'api_key_expired', 'The API key has expired.');
    }
    if (row.allowedIpsText !== null && !this.allowedFrom(row.allowedIpsText, request.ip)) {
      this.usage.rejected(row.id);
      this.metrics.keyChecks.inc({ result: 'ip_not_allowed' });
      throw new ApiError('ip_not_allowed', 'This key may not be used from this address.');
    }
    if (row.pepperId !== this.hasher.currentId) await this.rehash(row, hashes[0]!);
    this.metrics.keyChecks.inc({ result: 'ok' });
    await this.touch(row.id, row.lastUsedAt, now, request);
    return { kind: 'api_key', userId: row.userId, sessionId: null, apiKeyId: row.id, scope: row.scope, client: null };
  }

  private allowedFrom(list: string, address: string): boolean {
    let allowed = this.allowLists.get(list);
    if (!allowed) {
      if (this.allowLists.size > 10_000) this.allowLists.clear();
      this.allowLists.set(list, (allowed = compileAllowedIps(JSON.parse(list) as string[])));
    }
    return allowed(address);
  }

  /**
   * A key that matched an older pepper gets the current one's hash in this request, once
   * (operations.md "Pepper rotation"); the conditional update makes concurrent uses write it once.
   */
  private async rehash(row: KeyCheckRecord, currentHash: string): Promise<void> {
    await this.keys
      .rehash(row.id, row.pepperId, currentHash, this.hasher.currentId)
      .catch((error: Error) => this.log.warn(`could not re-hash a key under the current pepper (tried again on its next use): ${error.message}`));
  }

  /** Records use: the first at once (awaited), later ones at most once a minute, without waiting. */
  private async touch(keyId: string, lastUsedAt: Date | null, now: number, request: RequestInfo): Promise<void> {
    if (lastUsedAt && now - lastUsedAt.getTime() < LAST_USED_PRECISION_MS) return;
    const wrote = this.lastUsedWrites.get(keyId);
    if (wrote !== undefined && now - wrote < LAST_USED_PRECISION_MS) return;
    if (this.lastUsedWrites.size > 100_000) this.lastUsedWrites.clear();
    this.lastUsedWrites.set(keyId, now);
    const write = this.keys
      .touch(keyId, new Date(now), request.ip.slice(0, 45), request.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null, new Date(now - LAST_USED_PRECISION_MS))
      .catch(() => this.lastUsedWrites.delete(keyId));
    if (lastUsedAt === null) await write;
  }

  /**
   * A canary was used: every use goes in the audit trail with where it came from, and the worker
   * alerts the owner at most once per key per 10 minutes (one job id per window).
   */
  private canaryUsed(row: KeyCheckRecord, request: RequestInfo): void {
    const at = new Date();
    const details = {
      ip: request.ip,
      userAgent: request.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null,
      method: request.method,
      path: request.path.slice(0, 200),
    };
    void this.db
      .transaction((tx) => this.records.audit(tx, { userId: row.userId, apiKeyId: row.id, type: 'key.canary_triggered', actor: 'system', details }, at))
      .then(() => this.jobs.add(JobName.CanaryAlert, { keyId: row.id, window: Math.floor(at.getTime() / CANARY_ALERT_WINDOW_MS) }))
      .catch((error: Error) => this.log.error(`could not record a canary key's use: ${error.message}`));
  }

  private async checkSession(token: string): Promise<Principal> {
    const session = await this.sessions.findByTokenHash(hashSessionToken(token));
    if (!session || session.expiresAt.getTime() <= Date.now()) {
      throw new ApiError('unauthenticated', 'The session is not valid or has expired; sign in again.');
    }
    return { kind: 'session', userId: session.userId, sessionId: session.id, apiKeyId: null, scope: null, client: session.client };
  }

  private reject(result: 'invalid' | 'expired' | 'revoked', code: 'invalid_api_key' | 'api_key_expired' | 'api_key_revoked', detail: string): never {
    this.metrics.keyChecks.inc({ result });
    throw new ApiError(code, detail);
  }
}
