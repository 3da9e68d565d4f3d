import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { InfrastructureModule } from './common/infrastructure.module.js';
import { loggerOptions } from './common/logger.js';
import type { AppConfig } from './config.js';
import { HealthModule } from './modules/health/health.module.js';

/** Everything the API is made of, for one configuration. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logStream?: DestinationStream): DynamicModule {
    const options = loggerOptions(config.LOG_LEVEL);
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: logStream ? [options, logStream] : options }),
        InfrastructureModule.forRoot(config),
        HealthModule,
      ],
    };
  }
}
