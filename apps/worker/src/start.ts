import { onStopSignal } from '@tradetally/database/stop-signals';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestPinoLogger, createLogger, logDestination } from '@tradetally/database';
import { ConfigError, workerConfig } from './config.js';
import { gracefulStop } from './graceful-stop.js';

async function main(): Promise<void> {
  const config = workerConfig(); // validates the environment before any processor module loads
  // Imported only now: the processors' decorators read the configuration when their module loads.
  const { WorkerModule } = await import('./worker.module.js');
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    // The API's logger (keys scrubbed; readable on a terminal, JSON otherwise: LOG_FORMAT).
    logger: new NestPinoLogger(createLogger(config.LOG_LEVEL, logDestination(config.LOG_FORMAT))),
  });
  // Not Nest's signal hooks: they would close the database under running jobs, and exit by the signal.
  const { EmailProcessor } = await import('./queues/email/email.processor.js');
  const { LifecycleProcessor } = await import('./queues/lifecycle/lifecycle.processor.js');
  const stop = gracefulStop(app, [app.get(LifecycleProcessor).worker, app.get(EmailProcessor).worker], config.SHUTDOWN_TIMEOUT_MS);
  onStopSignal(stop);
  // Printed at any log level, as the API's "listening" line: supervisors (npm run cluster, tests) wait for it.
  console.log(`worker ready: queues on ${new URL(config.REDIS_URL).host}, sweep "${config.SWEEP_CRON}", reminders ${config.REMINDER_DAYS.join(',')} days`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
