import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { QueueName } from '@tradetally/contracts';
import { type Db, openDbWhenReachable, repositoryProviders } from '@tradetally/database';
import { JobProducer } from '@tradetally/database/jobs';
import { type WorkerConfig, redisConnection } from './config.js';
import { EmailProcessor } from './queues/email/email.processor.js';
import { Mailer } from './queues/email/mailer.service.js';
import { EffectRunner } from './queues/lifecycle/effect-runner.js';
import { LifecycleProcessor } from './queues/lifecycle/lifecycle.processor.js';
import { LifecycleService } from './queues/lifecycle/lifecycle.service.js';
import { SweepService } from './schedules/sweep.service.js';
import { DB, WORKER_CONFIG } from './tokens.js';

/** The worker: no HTTP server; BullMQ processors, the sweep schedule, the database and SMTP. */
@Module({})
export class WorkerModule implements OnApplicationShutdown {
  constructor(
    @Inject(DB) private readonly db: Db,
    private readonly jobs: JobProducer,
  ) {}

  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ScheduleModule.forRoot(),
        // The processors' connection and queues (registering the queues is what starts
        // @nestjs/bullmq's processor discovery); jobs are added through JobProducer, as the API adds them.
        BullModule.forRoot({ connection: redisConnection(config.REDIS_URL), prefix: config.QUEUE_PREFIX }),
        BullModule.registerQueue({ name: QueueName.Lifecycle }, { name: QueueName.Email }),
      ],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        // A worker started while the database is away waits for it, then catches up (operations.md).
        { provide: DB, useFactory: () => openDbWhenReachable(config.DATABASE_URL, (message) => new Logger('Database').warn(message)) },
        { provide: JobProducer, useFactory: () => JobProducer.connect(config.REDIS_URL, config.QUEUE_PREFIX, (message) => new Logger('Jobs').warn(message)) },
        ...repositoryProviders(DB),
        EffectRunner,
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
    await this.jobs.close();
    await this.db.close();
  }
}
