import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppConfig } from '../config.js';
import { ApiError } from './api-error.js';
import { APP_CONFIG, REDIS } from './tokens.js';

/** The limits of http-api.md "Rate limits". */
export type LimitName = 'loginAccount' | 'loginAddress' | 'register' | 'leaks' | 'credentialFailures';

/**
 * Rate limits kept in Redis so they hold across API instances; while Redis is down each process
 * falls back to its own in-memory counters (rate-limiter-flexible's insurance limiter).
 */
@Injectable()
export class RateLimitService {
  private readonly limiters: Record<LimitName, RateLimiterRedis>;
  /** Addresses this process saw blocked for credential failures, until when (ms): no Redis call per request. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(REDIS) redis: Redis) {
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
      loginAccount: make('loginAccount', config.RATE_LIMIT_LOGIN_PER_ACCOUNT, config.RATE_LIMIT_LOGIN_WINDOW_SECONDS),
      loginAddress: make('loginAddress', config.RATE_LIMIT_LOGIN_PER_ADDRESS, config.RATE_LIMIT_LOGIN_WINDOW_SECONDS),
      register: make('register', config.RATE_LIMIT_REGISTER_PER_ADDRESS, config.RATE_LIMIT_REGISTER_WINDOW_SECONDS),
      leaks: make('leaks', config.RATE_LIMIT_LEAKS_PER_ADDRESS, config.RATE_LIMIT_LEAKS_WINDOW_SECONDS),
      credentialFailures: make(
        'credentialFailures',
        config.RATE_LIMIT_KEY_FAILURES_PER_ADDRESS,
        config.RATE_LIMIT_KEY_FAILURES_WINDOW_SECONDS,
      ),
    };
  }

  /** Counts one attempt; throws 429 `rate_limited` (with Retry-After) once the limit is passed. */
  async consume(name: LimitName, key: string): Promise<void> {
    try {
      await this.limiters[name].consume(key);
    } catch (rejection) {
      throw this.toError(rejection);
    }
  }

  /** Throws 429 when `key` is already over the limit, without counting an attempt. */
  async assertNotBlocked(name: LimitName, key: string): Promise<void> {
    const state = await this.limiters[name].get(key).catch(() => null);
    if (state && state.consumedPoints > this.limiters[name].points) throw this.toError(state);
  }

  /** Counts one failed credential check of an address; answers 429 instead of 401 once past the limit. */
  async failedCredential(address: string): Promise<ApiError | null> {
    try {
      await this.limiters.credentialFailures.consume(address);
      return null;
    } catch (rejection) {
      const error = this.toError(rejection);
      if (rejection instanceof RateLimiterRes) this.blockedUntil.set(address, Date.now() + rejection.msBeforeNext);
      return error;
    }
  }

  /** The 429 to answer before any credential check, when this address is known to be blocked. */
  blockedForCredentials(address: string): ApiError | null {
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

  private toError(rejection: unknown): ApiError {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    return new ApiError('rate_limited', `Too many attempts; try again in ${seconds} s.`, undefined, {
      'Retry-After': String(seconds),
    });
  }
}
