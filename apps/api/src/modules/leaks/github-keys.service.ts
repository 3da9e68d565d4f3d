import { type KeyObject, createPublicKey } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { GithubPublicKeysSchema } from '@tradetally/contracts';
import { ApiError } from '../../common/api-error.js';
import { APP_CONFIG } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';

/** How long fetched keys are trusted before the next report fetches them again. */
export const GITHUB_KEYS_TTL_MS = 60 * 60 * 1000;
/**
 * The least time between two fetches caused by unknown identifiers. Anyone can send an
 * identifier; without a floor, a stream of made-up ones would make this API fetch on every
 * request (and spend GitHub's 60-an-hour anonymous limit that real reports need).
 */
export const GITHUB_KEYS_REFETCH_FLOOR_MS = 60 * 1000;
const FETCH_TIMEOUT_MS = 5000;

const log = new Logger('GithubKeys');

/**
 * GitHub's secret scanning signing keys (scanning.md), fetched from GITHUB_KEYS_URL, cached for an
 * hour, and fetched again when a report names an identifier the cache does not hold (GitHub
 * rotated its key). Concurrent reports share one fetch.
 */
@Injectable()
export class GithubKeysService {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private lastMissFetchAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * The public key GitHub signs with under `identifier`; null when GitHub does not list it even
   * after fetching again. 503 service_unavailable when GitHub's list cannot be had at all.
   */
  async publicKey(identifier: string): Promise<KeyObject | null> {
    const expired = this.now() - this.fetchedAt >= GITHUB_KEYS_TTL_MS;
    if (expired) await this.refresh();
    const known = this.keys.get(identifier);
    if (known || expired) return known ?? null; // a list fetched for this very report is fresh enough
    // Unknown: GitHub may have rotated its key. Ask again: joining a fetch under way, else at most
    // once per floor.
    if (this.inflight || this.now() - this.lastMissFetchAt >= GITHUB_KEYS_REFETCH_FLOOR_MS) {
      this.lastMissFetchAt = this.now();
      await this.refresh();
    }
    return this.keys.get(identifier) ?? null;
  }

  /**
   * One fetch at a time, shared by every report waiting for it. A failed fetch keeps the keys
   * already held (retried a floor later); with none held, the report gets 503 and GitHub retries.
   */
  private refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys()
      .then((keys) => {
        this.keys = keys;
        this.fetchedAt = this.now();
      })
      .catch((error: unknown) => {
        log.warn(`cannot fetch GitHub's signing keys from ${this.config.GITHUB_KEYS_URL}: ${error instanceof Error ? error.message : String(error)}`);
        if (this.keys.size === 0) throw new ApiError('service_unavailable', "GitHub's signing keys cannot be fetched just now; try again later.");
        this.fetchedAt = this.now() - GITHUB_KEYS_TTL_MS + GITHUB_KEYS_REFETCH_FLOOR_MS;
      })
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  /** Fetches and parses the key list; keys that do not parse as public keys are left out. */
  protected async fetchKeys(): Promise<Map<string, KeyObject>> {
    const response = await fetch(this.config.GITHUB_KEYS_URL, {
      headers: { accept: 'application/json', 'user-agent': 'tradetally-keys' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`answered ${response.status}`);
    const parsed = GithubPublicKeysSchema.safeParse(await response.json());
    if (!parsed.success) throw new Error('the answer is not a list of public_keys');
    const keys = new Map<string, KeyObject>();
    for (const entry of parsed.data.public_keys) {
      try {
        keys.set(entry.key_identifier, createPublicKey(entry.key));
      } catch {
        log.warn(`GitHub key ${entry.key_identifier} is not a public key: left out`);
      }
    }
    return keys;
  }

  /** The clock (milliseconds); unit tests move it. */
  protected now(): number {
    return performance.now();
  }
}
