import { type DynamicModule, Module } from '@nestjs/common';
import { InfrastructureModule } from './common/infrastructure.module.js';
import type { AppConfig } from './config.js';
import { ApiKeysModule } from './modules/api-keys/api-keys.module.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { IdempotencyModule } from './modules/idempotency/idempotency.module.js';
import { LeaksModule } from './modules/leaks/leaks.module.js';
import { MetricsController } from './modules/metrics/metrics.controller.js';
import { ProblemsModule } from './modules/problems/problems.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { TradesModule } from './modules/trades/trades.module.js';

/** Everything the API is made of, for one configuration. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfrastructureModule.forRoot(config),
        AuthModule,
        ApiKeysModule,
        TradesModule,
        LeaksModule,
        NotificationsModule,
        AuditModule,
        HealthModule,
        IdempotencyModule,
        ProblemsModule,
      ],
      controllers: [MetricsController],
    };
  }
}
