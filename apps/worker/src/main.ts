import 'reflect-metadata';
import { ConsoleLogger, type LogLevel, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, workerConfig } from './config.js';

const LEVELS: Record<string, LogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  silent: [],
};

async function main(): Promise<void> {
  const config = workerConfig(); // validates the environment before any processor module loads
  // Imported only now: the processors' decorators read the configuration when their module loads.
  const { WorkerModule } = await import('./worker.module.js');
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new ConsoleLogger({ json: true, logLevels: LEVELS[config.LOG_LEVEL] }),
  });
  app.enableShutdownHooks();
  new Logger('Worker').log(`worker ready: queues on ${new URL(config.REDIS_URL).host}, sweep "${config.SWEEP_CRON}", reminders ${config.REMINDER_DAYS.join(',')} days`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
