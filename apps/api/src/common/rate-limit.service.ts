import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppConfig } from '../config.js';
import { ApiError } from './api-error.js';
import { rateLimitIdentity } from './client-address.js';
import { APP_CONFIG, REDIS } from './tokens.js';

/**
 * The limits of http-api.md "Rate limits" and security.md "Failed logins": `loginPair` counts per
 * (account, address), `loginAccount` is the account-wide ceiling, `emailResend` is per account.
 */
export type LimitName = 'loginPair' | 'loginAccount' | 'loginAddress' | 'register' | 'leaks' | 'credentialFailures' | 'emailResend' | 'lookup';

/** The limits whose key is a client address: counted by rateLimitIdentity (IPv6 by /64). */
const BY_ADDRESS: ReadonlySet<LimitName> = new Set(['loginAddress', 'register', 'leaks', 'credentialFailures']);

/**
 * Rate limits kept in Redis so they hold across API instances; while Redis is down each process
 * falls back to its own in-memory counters (rate-limiter-flexible's insurance limiter).
 */
@Injectable()
export class RateLimitService implements OnApplicationShutdown {
  private readonly limiters: Record<LimitName, RateLimiterRedis>;
  /**
   * Addresses blocked for credential failures, until when (ms), so a blocked address costs no Redis
   * call per request. Every instance learns a block from the others over Redis pub/sub, so the
   * block holds for valid keys on every instance (security.md).
   */
  private readonly blockedUntil = new Map<string, number>();
  private readonly subscriber: Redis;
  private readonly blockChannel: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    const make = (name: LimitName, points: number, duration: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.RATE_LIMIT_PREFIX}:${name}`,
        points,
        duration,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration }),
      });
    this.limiters = {
      loginPair: make('loginPair', config.RATE_LIMIT_LOGIN_PER_ACCOUNT, config.RATE_LIMIT_LOGIN_WINDOW_SECONDS),
      loginAccount: make('loginAccount', config.RATE_LIMIT_LOGIN_ACCOUNT_CEILING, config.RATE_LIMIT_LOGIN_WINDOW_SECONDS),
      emailResend: make('emailResend', config.RATE_LIMIT_EMAIL_RESEND_PER_ACCOUNT, config.RATE_LIMIT_EMAIL_RESEND_WINDOW_SECONDS),
      lookup: make('lookup', config.RATE_LIMIT_LOOKUP_PER_SESSION, 60),
      loginAddress: make('loginAddress', config.RATE_LIMIT_LOGIN_PER_ADDRESS, config.RATE_LIMIT_LOGIN_WINDOW_SECONDS),
      register: make('register', config.RATE_LIMIT_REGISTER_PER_ADDRESS, config.RATE_LIMIT_REGISTER_WINDOW_SECONDS),
      leaks: make('leaks', config.RATE_LIMIT_LEAKS_PER_ADDRESS, config.RATE_LIMIT_LEAKS_WINDOW_SECONDS),
      credentialFailures: make('credentialFailures', config.RATE_LIMIT_KEY_FAILURES_PER_ADDRESS, config.RATE_LIMIT_KEY_FAILURES_WINDOW_SECONDS),
    };
    this.blockChannel = `${config.RATE_LIMIT_PREFIX}:credential-blocks`;
    // A subscriber needs a connection of its own; it queues its SUBSCRIBE until Redis answers.
    this.subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.subscriber.on('error', () => undefined); // reported once by the main Redis client
    this.subscriber.on('message', (_channel: string, message: string) => this.learnBlock(message));
    this.subscriber.subscribe(this.blockChannel).catch(() => undefined);
  }

  /** The key a limit counts under: addresses by their rate-limit identity. */
  private keyOf(name: LimitName, key: string): string {
    return BY_ADDRESS.has(name) ? rateLimitIdentity(key) : key;
  }

  /** Counts one attempt, atomically; throws 429 `rate_limited` (with Retry-After) once the limit is passed. */
  async consume(name: LimitName, key: string): Promise<void> {
    try {
      await this.limiters[name].consume(this.keyOf(name, key));
    } catch (rejection) {
      throw this.toError(rejection);
    }
  }

  /** Gives back an attempt counted by `consume` (a sign-in that turned out right). */
  async refund(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].reward(this.keyOf(name, key)).catch(() => undefined);
  }

  /** Counts one failed credential check of an address; answers 429 instead of 401 once past the limit. */
  async failedCredential(address: string): Promise<ApiError | null> {
    const identity = rateLimitIdentity(address);
    try {
      await this.limiters.credentialFailures.consume(identity);
      return null;
    } catch (rejection) {
      const error = this.toError(rejection);
      if (rejection instanceof RateLimiterRes) {
        const until = Date.now() + rejection.msBeforeNext;
        this.blockedUntil.set(identity, until);
        if (this.redis.status === 'ready') this.redis.publish(this.blockChannel, `${until} ${identity}`).catch(() => undefined);
      }
      return error;
    }
  }

  /** A block announced by another instance: `<until ms> <identity>`. */
  private learnBlock(message: string): void {
    const space = message.indexOf(' ');
    const until = Number(message.slice(0, space));
    const identity = message.slice(space + 1);
    if (space < 1 || !Number.isFinite(until) || !identity) return;
    if (this.blockedUntil.size > 100_000) this.blockedUntil.clear();
    if ((this.blockedUntil.get(identity) ?? 0) < until) this.blockedUntil.set(identity, until);
  }

  /** The 429 to answer before any credential check, when this address is known to be blocked. */
  blockedForCredentials(address: string): ApiError | null {
    if (this.blockedUntil.size === 0) return null;
    address = rateLimitIdentity(address);
    const until = this.blockedUntil.get(address);
    if (until === undefined) return null;
    const left = until - Date.now();
    if (left <= 0) {
      this.blockedUntil.delete(address);
      return null;
    }
    return new ApiError('rate_limited', 'Too many failed credential checks from this address.', undefined, {
      'Retry-After': String(Math.ceil(left / 1000)),
    });
  }

  onApplicationShutdown(): void {
    this.subscriber.disconnect();
  }

  private toError(rejection: unknown): ApiError {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    return new ApiError('rate_limited', `Too many attempts; try again in ${seconds} s.`, undefined, {
      'Retry-After': String(seconds),
    });
  }
}
