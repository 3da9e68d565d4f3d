import { Inject, Injectable } from '@nestjs/common';
import type { HealthResponse, LivenessResponse, ReadinessResponse } from '@tradetally/contracts';
import { type Db, pendingMigrations } from '@tradetally/database';
import type { Redis } from 'ioredis';
import { ApiError } from '../../common/api-error.js';
import { DB, REDIS } from '../../common/tokens.js';

/** How long a client (or a proxy's health check) should wait before asking again. */
export const RETRY_AFTER_SECONDS = '5';

/** Reports the database and the queue's Redis; the API keeps serving while Redis is down. */
@Injectable()
export class HealthService {
  /** Set by the graceful stop: an instance that is draining tells load balancers to look elsewhere. */
  private draining = false;
  /** The schema only moves forward: once current for this build, it stays current. */
  private schemaCurrent = false;

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

  live(): LivenessResponse {
    return { status: 'ok' };
  }

  /** 200 when this instance can serve: the database answers and has every migration of this build. */
  async ready(): Promise<ReadinessResponse> {
    if (this.draining) throw unavailable('This instance is stopping.');
    try {
      await this.db.query('SELECT 1');
      if (!this.schemaCurrent) {
        const pending = await pendingMigrations(this.db.dataSource);
        if (pending.length > 0) throw unavailable(`The database schema is not current (${pending.length} migration(s) pending).`);
        this.schemaCurrent = true;
      }
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw unavailable('The database does not answer.');
    }
    return { status: 'ok', database: 'ok', schema: 'current' };
  }

  /** Called once SIGTERM arrives: readiness answers 503 from then on. */
  markDraining(): void {
    this.draining = true;
  }
}

function unavailable(detail: string): ApiError {
  return new ApiError('service_unavailable', detail, undefined, { 'Retry-After': RETRY_AFTER_SECONDS });
}
