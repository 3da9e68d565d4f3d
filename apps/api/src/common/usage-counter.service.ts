import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DAY_MS } from '@tradetally/contracts';
import { UsageRepository } from '@tradetally/database';
import type { AppConfig } from '../config.js';
import { APP_CONFIG } from './tokens.js';

/**
 * Per-key, per-UTC-day counts of accepted and rejected uses (http-api.md "usage"), with no database
 * write per request: each API instance counts in memory and adds its counts to the database every
 * USAGE_FLUSH_SECONDS, in one transaction of `requests = requests + n` upserts. Each instance adds
 * only what it counted since its last flush, so several instances never count a use twice; a failed
 * flush keeps its counts for the next one; a crash loses at most one period (lifecycle.md).
 */
@Injectable()
export class UsageCounter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Usage');
  private counts = new Map<string, { keyId: string; day: string; requests: number; rejected: number }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<number> | null = null;
  private day = '';
  private dayEnds = 0;
  readonly enabled: boolean;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly usage: UsageRepository,
  ) {
    this.enabled = config.USAGE_FLUSH_SECONDS > 0;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.config.USAGE_FLUSH_SECONDS * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch((error: Error) => this.log.warn(`last usage flush failed, its counts are lost: ${error.message}`));
  }

  /** Counts an accepted use of a key. */
  accepted(keyId: string): void {
    if (this.enabled) this.entry(keyId).requests++;
  }

  /** Counts a use refused for scope, address, expiry or revocation. */
  rejected(keyId: string): void {
    if (this.enabled) this.entry(keyId).rejected++;
  }

  /** Counts not yet in the database (for tests and the benchmark). */
  get pending(): number {
    return this.counts.size;
  }

  private entry(keyId: string) {
    const now = Date.now();
    if (now >= this.dayEnds) {
      this.day = new Date(now).toISOString().slice(0, 10);
      this.dayEnds = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
    }
    const id = `${keyId} ${this.day}`;
    let entry = this.counts.get(id);
    if (!entry) this.counts.set(id, (entry = { keyId, day: this.day, requests: 0, rejected: 0 }));
    return entry;
  }

  /** Adds what this instance counted to the database; resolves to the number of (key, day) rows written. */
  flush(): Promise<number> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async write(): Promise<number> {
    if (this.counts.size === 0) return 0;
    const batch = [...this.counts.values()];
    this.counts = new Map();
    try {
      await this.usage.add(batch);
      return batch.length;
    } catch (error) {
      // Nothing of the batch was written (one transaction): count it again next time.
      for (const row of batch) {
        const entry = this.counts.get(`${row.keyId} ${row.day}`) ?? { ...row, requests: 0, rejected: 0 };
        entry.requests += row.requests;
        entry.rejected += row.rejected;
        this.counts.set(`${row.keyId} ${row.day}`, entry);
      }
      throw error;
    }
  }
}
