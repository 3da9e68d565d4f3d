import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type DataSource, openDatabase } from '@tradetally/database';
import { Redis } from 'ioredis';
import type { AppConfig } from '../config.js';
import { APP_CONFIG, DATA_SOURCE, REDIS } from './tokens.js';

const log = new Logger('Infrastructure');

/** Redis for rate limits and the queue. Commands fail fast while it is down: the API never waits on it. */
export function createRedis(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  });
  let warned = false;
  redis.on('error', (error: Error) => {
    if (!warned) log.warn(`Redis unavailable (${error.message}); rate limits fall back to this process, the queue waits`);
    warned = true;
  });
  redis.on('ready', () => {
    if (warned) log.log('Redis connected again');
    warned = false;
  });
  return redis;
}

/** The configuration, the database (migrated at start) and Redis, for every module. */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  static forRoot(config: AppConfig) {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: DATA_SOURCE, useFactory: () => openDatabase(config.DATABASE_URL) },
        { provide: REDIS, useFactory: () => createRedis(config.REDIS_URL) },
      ],
      exports: [APP_CONFIG, DATA_SOURCE, REDIS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
