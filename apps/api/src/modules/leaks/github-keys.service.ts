import { type KeyObject, createPublicKey } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { GithubPublicKeysSchema } from '@tradetally/contracts';
import type { Redis } from 'ioredis';
import { ApiError } from '../../common/api-error.js';
import { APP_CONFIG, REDIS } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';

/** How long fetched keys are trusted before a report fetches them again. */
export const GITHUB_KEYS_TTL_MS = 60 * 60 * 1000;
/**
 * The least time between two fetches of one deployment, whatever causes them (an expired list, an
 * identifier the list does not hold). Anyone can send an identifier; without this floor, a stream
 * of made-up ones would make the deployment fetch on every request and spend GitHub's
 * 60-an-hour anonymous limit that real reports need.
 */
export const GITHUB_KEYS_REFETCH_FLOOR_MS = 60 * 1000;
const FETCH_TIMEOUT_MS = 5000;

/**
 * Takes the deployment's fetch turn: succeeds (1) when no instance fetched within the floor, and
 * then records this fetch's time. KEYS[1] the last fetch time; ARGV now and the floor (ms).
 */
const TAKE_TURN = `
local last = tonumber(redis.call('GET', KEYS[1]) or '')
local now = tonumber(ARGV[1])
if last and now - last < tonumber(ARGV[2]) and now >= last then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ${GITHUB_KEYS_TTL_MS * 2})
return 1`;

/** The list as instances share it in Redis: when it was fetched (ms since the epoch) and its PEM keys. */
interface SharedList {
  fetchedAt: number;
  keys: Array<{ id: string; pem: string }>;
}

const log = new Logger('GithubKeys');

/**
 * GitHub's secret scanning signing keys (scanning.md), fetched from GITHUB_KEYS_URL (with
 * GITHUB_TOKEN when set: GitHub's higher limit for authenticated calls) at most once a minute per
 * deployment: the last fetch's time and the list are shared through Redis, so every API instance
 * uses the list any one of them fetched. The list is trusted for an hour; an identifier it does not
 * hold (GitHub rotated its key) fetches again, within the same once-a-minute turn. Concurrent
 * reports of one instance share one fetch. With Redis away, each instance keeps the floor alone.
 */
@Injectable()
export class GithubKeysService {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  /** This instance's last fetch, the floor's fallback while Redis does not answer. */
  private lastLocalFetch = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | null = null;
  private readonly listKey: string;
  private readonly turnKey: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.listKey = `${config.RATE_LIMIT_PREFIX}:github-keys:list`;
    this.turnKey = `${config.RATE_LIMIT_PREFIX}:github-keys:fetched`;
  }

  /**
   * The public key GitHub signs with under `identifier`; null when GitHub does not list it even
   * after fetching again (or when the deployment fetched within the minute). 503
   * service_unavailable when no list can be had at all.
   */
  async publicKey(identifier: string): Promise<KeyObject | null> {
    if (this.fresh() && this.keys.has(identifier)) return this.keys.get(identifier)!;
    // Another instance may have fetched a newer list: one GET before asking GitHub.
    await this.adoptShared();
    if (this.fresh() && this.keys.has(identifier)) return this.keys.get(identifier)!;
    await this.refresh();
    return this.keys.get(identifier) ?? null;
  }

  private fresh(): boolean {
    return this.now() - this.fetchedAt < GITHUB_KEYS_TTL_MS;
  }

  /**
   * Fetches when this deployment's turn is free, one fetch at a time per instance, shared by every
   * report waiting for it. A failed fetch keeps the keys already held (the next turn is a minute
   * later); with none held anywhere, the report gets 503 and GitHub retries.
   */
  private refresh(): Promise<void> {
    this.inflight ??= (async () => {
      if (!(await this.takeTurn())) return;
      try {
        const list = await this.fetchKeys();
        this.adopt(list);
        await this.redis.set(this.listKey, JSON.stringify(list), 'PX', GITHUB_KEYS_TTL_MS * 24).catch(() => undefined);
      } catch (error) {
        log.warn(`cannot fetch GitHub's signing keys from ${this.config.GITHUB_KEYS_URL}: ${error instanceof Error ? error.message : String(error)}`);
      }
    })()
      .then(() => {
        if (this.keys.size === 0) throw new ApiError('service_unavailable', "GitHub's signing keys cannot be fetched just now; try again later.");
      })
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  /** True when this instance may fetch now: the deployment's turn in Redis, or this instance's own floor without Redis. */
  private async takeTurn(): Promise<boolean> {
    const now = this.now();
    try {
      const taken = await this.redis.eval(TAKE_TURN, 1, this.turnKey, String(now), String(GITHUB_KEYS_REFETCH_FLOOR_MS));
      if (taken === 1) this.lastLocalFetch = now;
      return taken === 1;
    } catch {
      if (now - this.lastLocalFetch < GITHUB_KEYS_REFETCH_FLOOR_MS) return false;
      this.lastLocalFetch = now;
      return true;
    }
  }

  /** Takes the list another instance stored when it is newer than the one held. */
  private async adoptShared(): Promise<void> {
    const text = await this.redis.get(this.listKey).catch(() => null);
    if (!text) return;
    try {
      const list = JSON.parse(text) as SharedList;
      if (list.fetchedAt > this.fetchedAt) this.adopt(list);
    } catch {
      // not a list this code wrote: the next fetch replaces it
    }
  }

  private adopt(list: SharedList): void {
    const keys = new Map<string, KeyObject>();
    for (const { id, pem } of list.keys) {
      try {
        keys.set(id, createPublicKey(pem));
      } catch {
        log.warn(`GitHub key ${id} is not a public key: left out`);
      }
    }
    this.keys = keys;
    this.fetchedAt = list.fetchedAt;
  }

  /** Fetches and parses the key list (PEM keys by identifier). */
  protected async fetchKeys(): Promise<SharedList> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'tradetally-keys' };
    if (this.config.GITHUB_TOKEN) headers.authorization = `Bearer ${this.config.GITHUB_TOKEN}`;
    const response = await fetch(this.config.GITHUB_KEYS_URL, { headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`answered ${response.status}`);
    const parsed = GithubPublicKeysSchema.safeParse(await response.json());
    if (!parsed.success) throw new Error('the answer is not a list of public_keys');
    return { fetchedAt: this.now(), keys: parsed.data.public_keys.map((entry) => ({ id: entry.key_identifier, pem: entry.key })) };
  }

  /** The clock (milliseconds since the epoch: instances compare it through Redis); unit tests move it. */
  protected now(): number {
    return Date.now();
  }
}
