import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadWorkerConfig } from './config.js';
import { WorkerModule } from './worker.module.js';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: config.LOG_LEVEL === 'silent' ? false : undefined,
  });
  app.enableShutdownHooks();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
