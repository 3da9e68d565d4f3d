import { Inject, Injectable } from '@nestjs/common';
import type { HealthResponse } from '@tradetally/contracts';
import type { Db } from '@tradetally/database';
import type { Redis } from 'ioredis';
import { DB, REDIS } from '../../common/tokens.js';

/** Reports the database and the queue's Redis; the API keeps serving while Redis is down. */
@Injectable()
export class HealthService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async check(): Promise<HealthResponse> {
    const database = await this.db.query('SELECT 1').then(
      () => 'ok' as const,
      () => 'down' as const,
    );
    const queue = this.redis.status === 'ready' ? ('ok' as const) : ('down' as const);
    return { status: database === 'ok' && queue === 'ok' ? 'ok' : 'degraded', database, queue };
  }
}
