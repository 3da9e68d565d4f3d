import { type KeyObject, createHmac, createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { parseApiKey } from '@tradetally/contracts';
import type { ApiKeyScope, SessionClient } from '@tradetally/contracts';
import { type Db, hashOpaqueToken } from '@tradetally/database';
import { ApiError } from '../../common/api-error.js';
import { MetricsService } from '../../common/metrics.service.js';
import { RateLimitService } from '../../common/rate-limit.service.js';
import { APP_CONFIG, DB } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import type { Principal } from './access.decorator.js';

/** How stale `lastUsedAt` may get before a use writes it again. */
const LAST_USED_PRECISION_MS = 60_000;

interface KeyRow {
  id: string;
  user_id: string;
  scope: ApiKeyScope;
  expires_at: unknown;
  revoked_at: unknown;
  grace_ends_at: unknown;
  last_used_at: unknown;
}

/** True when a value starts like an API key: it is then checked as one, whatever follows. */
export function looksLikeApiKey(value: string): boolean {
  return value.startsWith('tt_live_') || value.startsWith('tt_test_');
}

const peppers = new Map<string, KeyObject>();

/** The stored form of a key: HMAC-SHA256(pepper, key) in lowercase hex. */
export function hashApiKey(pepper: string, key: string): string {
  // The pepper is imported as a key object once, not on every check.
  let secret = peppers.get(pepper);
  if (!secret) peppers.set(pepper, (secret = createSecretKey(Buffer.from(pepper, 'utf8'))));
  return createHmac('sha256', secret).update(key, 'utf8').digest('hex');
}

/** The stored form of a session token (random, so a plain SHA-256 suffices). */
export const hashSessionToken = hashOpaqueToken;

/**
 * Turns a credential into a Principal. A key check is one indexed lookup by hash (no scan, no slow
 * hash, no cache that could miss a revoke made by another instance); expiry, revocation and grace
 * ends are decided here, against the current time, so they never wait for a job.
 */
@Injectable()
export class CredentialsService {
  /** Keys whose lastUsedAt this process wrote recently: no second write within the minute. */
  private readonly lastUsedWrites = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DB) private readonly db: Db,
    private readonly limits: RateLimitService,
    private readonly metrics: MetricsService,
  ) {}

  async authenticate(credential: string, address: string): Promise<Principal> {
    const blocked = this.limits.blockedForCredentials(address);
    if (blocked) {
      this.metrics.keyChecks.inc({ result: 'rate_limited' });
      throw blocked;
    }
    try {
      return looksLikeApiKey(credential) ? await this.checkKey(credential) : await this.checkSession(credential);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        const limited = await this.limits.failedCredential(address);
        if (limited) throw limited;
      }
      throw error;
    }
  }

  /** The caller of an `optional` route: null for anything that is not a valid credential; never counted, never throws 401. */
  async tryAuthenticate(credential: string): Promise<Principal | null> {
    try {
      return looksLikeApiKey(credential) ? await this.checkKey(credential) : await this.checkSession(credential);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  }

  private async checkKey(key: string): Promise<Principal> {
    if (!parseApiKey(key)) return this.reject('invalid', 'invalid_api_key', 'The API key is malformed or its checksum is wrong.');
    const [row] = await this.db.query<KeyRow>(
      'SELECT id, user_id, scope, expires_at, revoked_at, grace_ends_at, last_used_at FROM api_keys WHERE key_hash = $1',
      [hashApiKey(this.config.pepper, key)],
    );
    if (!row) return this.reject('invalid', 'invalid_api_key', 'The API key is not known.');
    const now = Date.now();
    const revokedAt = this.db.date(row.revoked_at);
    const graceEndsAt = this.db.date(row.grace_ends_at);
    if ((revokedAt && revokedAt.getTime() <= now) || (graceEndsAt && graceEndsAt.getTime() <= now)) {
      return this.reject('revoked', 'api_key_revoked', 'The API key was revoked.');
    }
    const expiresAt = this.db.date(row.expires_at);
    if (expiresAt && expiresAt.getTime() <= now) return this.reject('expired', 'api_key_expired', 'The API key has expired.');
    this.metrics.keyChecks.inc({ result: 'ok' });
    await this.touch(row.id, this.db.date(row.last_used_at), now);
    return { kind: 'api_key', userId: row.user_id, sessionId: null, apiKeyId: row.id, scope: row.scope, client: null };
  }

  /** Records use: the first at once (awaited), later ones at most once a minute, without waiting. */
  private async touch(keyId: string, lastUsedAt: Date | null, now: number): Promise<void> {
    if (lastUsedAt && now - lastUsedAt.getTime() < LAST_USED_PRECISION_MS) return;
    const wrote = this.lastUsedWrites.get(keyId);
    if (wrote !== undefined && now - wrote < LAST_USED_PRECISION_MS) return;
    if (this.lastUsedWrites.size > 100_000) this.lastUsedWrites.clear();
    this.lastUsedWrites.set(keyId, now);
    const write = this.db
      .query('UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)', [
        new Date(now),
        keyId,
        new Date(now - LAST_USED_PRECISION_MS),
      ])
      .catch(() => this.lastUsedWrites.delete(keyId));
    if (lastUsedAt === null) await write;
  }

  private async checkSession(token: string): Promise<Principal> {
    const [row] = await this.db.query<{ id: string; user_id: string; expires_at: unknown; client: SessionClient }>(
      'SELECT id, user_id, expires_at, client FROM sessions WHERE token_hash = $1',
      [hashSessionToken(token)],
    );
    const expiresAt = row ? this.db.date(row.expires_at) : null;
    if (!row || !expiresAt || expiresAt.getTime() <= Date.now()) {
      throw new ApiError('unauthenticated', 'The session is not valid or has expired; sign in again.');
    }
    return { kind: 'session', userId: row.user_id, sessionId: row.id, apiKeyId: null, scope: null, client: row.client === 'extension' ? 'extension' : 'web' };
  }

  private reject(result: 'invalid' | 'expired' | 'revoked', code: 'invalid_api_key' | 'api_key_expired' | 'api_key_revoked', detail: string): never {
    this.metrics.keyChecks.inc({ result });
    throw new ApiError(code, detail);
  }
}
