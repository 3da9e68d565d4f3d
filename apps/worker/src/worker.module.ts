import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { QueueName } from '@tradetally/contracts';
import { type Db, openDbWhenReachable } from '@tradetally/database';
import { type WorkerConfig, redisConnection } from './config.js';
import { EmailProcessor } from './queues/email/email.processor.js';
import { Mailer } from './queues/email/mailer.service.js';
import { Enqueuer } from './queues/enqueuer.service.js';
import { LifecycleProcessor } from './queues/lifecycle/lifecycle.processor.js';
import { LifecycleService } from './queues/lifecycle/lifecycle.service.js';
import { SweepService } from './schedules/sweep.service.js';
import { DB, WORKER_CONFIG } from './tokens.js';

/** The worker: no HTTP server; BullMQ processors, the sweep schedule, the database and SMTP. */
@Module({})
export class WorkerModule implements OnApplicationShutdown {
  constructor(@Inject(DB) private readonly db: Db) {}

  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ScheduleModule.forRoot(),
        BullModule.forRoot({ connection: redisConnection(config.REDIS_URL), prefix: config.QUEUE_PREFIX }),
        BullModule.registerQueue({ name: QueueName.Lifecycle }, { name: QueueName.Email }),
      ],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        // A worker started while the database is away waits for it, then catches up (operations.md).
        { provide: DB, useFactory: () => openDbWhenReachable(config.DATABASE_URL, (message) => new Logger('Database').warn(message)) },
        Enqueuer,
        Mailer,
        LifecycleService,
        LifecycleProcessor,
        EmailProcessor,
        SweepService,
      ],
      exports: [SweepService],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}
