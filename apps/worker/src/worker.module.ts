import { Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { WorkerConfig } from './config.js';

const REDIS = Symbol('REDIS');
const log = new Logger('Worker');

/** The worker: no HTTP server, only Redis-backed queues and schedules (filled in by the lifecycle issue). */
@Module({})
export class WorkerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static forRoot(config: WorkerConfig) {
    return {
      module: WorkerModule,
      providers: [{ provide: REDIS, useFactory: () => new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: true }) }],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.redis.connect();
    await this.redis.ping();
    log.log('Worker ready: connected to Redis');
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
