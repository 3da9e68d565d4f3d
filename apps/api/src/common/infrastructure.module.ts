import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type Db, KeyHasher, REPOSITORIES, openDbWhenReachable, redisRetryStrategy, repositoryProviders } from '@tradetally/database';
import { JobProducer } from '@tradetally/database/jobs';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config.js';
import { MetricsService } from './metrics.service.js';
import { RateLimitService } from './rate-limit.service.js';
import { APP_CONFIG, DB, KEY_HASHER, REDIS } from './tokens.js';
import { UsageCounter } from './usage-counter.service.js';

const log = new Logger('Infrastructure');

/** Redis for rate limits and health. Commands fail fast while it is down: the API never waits on it. */
export function createRedis(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: redisRetryStrategy,
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) log.warn(`Redis unavailable (${error.message}): rate limits fall back to this process, jobs to the worker's sweep`);
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.log('Redis connected again');
    down = false;
  });
  return redis;
}

/**
 * Redis, waited for at start for up to two seconds: requests that arrive while the client is still
 * connecting would be counted by the in-process fallback limiter, splitting a client's counts in
 * two. Redis that does not answer in time does not stop the start (the API works without it).
 */
async function connectRedis(url: string): Promise<Redis> {
  const redis = createRedis(url);
  if (redis.status === 'ready') return redis;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => redis.once('ready', () => resolve())),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000))),
  ]);
  clearTimeout(timer);
  return redis;
}

/** Configuration, the database (migrated at start), Redis, and the services every module shares. */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly jobs: JobProducer,
  ) {}

  static forRoot(config: AppConfig) {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        // Started while the database is away, the API waits for it before it listens (a proxy in front
        // meanwhile sends requests to the instances that are up).
        { provide: DB, useFactory: () => openDbWhenReachable(config.DATABASE_URL, (message) => log.warn(message)) },
        { provide: REDIS, useFactory: () => connectRedis(config.REDIS_URL) },
        { provide: KEY_HASHER, useValue: new KeyHasher(config.peppers) },
        ...repositoryProviders(DB),
        UsageCounter,
        RateLimitService,
        MetricsService,
        // The API only adds jobs, on a Redis connection of its own; an add never fails a request (JobProducer).
        { provide: JobProducer, useFactory: () => JobProducer.connect(config.REDIS_URL, config.QUEUE_PREFIX, (message) => log.warn(message)) },
      ],
      exports: [APP_CONFIG, DB, REDIS, KEY_HASHER, ...REPOSITORIES, RateLimitService, MetricsService, JobProducer, UsageCounter],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs.close();
    this.redis.disconnect();
    await this.db.close();
  }
}
