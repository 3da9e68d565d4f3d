import { onStopSignal } from '@tradetally/database/stop-signals';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { gracefulStop } from './common/graceful-stop.js';
import { ConfigError, loadConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  if (config.devPepper) {
    new Logger('Config').warn('TT_KEY_PEPPER is not set: using the development pepper. Set it before real keys are made.');
  }
  const stop = gracefulStop(app, config.SHUTDOWN_TIMEOUT_MS);
  await app.listen(config.PORT, config.host);
  const url = await app.getUrl();
  console.log(`TradeTally Keys API listening on ${url.replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost')}`);
  onStopSignal(stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
