import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { GithubKeysService } from './github-keys.service.js';
import { GithubReportsController } from './github-reports.controller.js';
import { GithubReportsService } from './github-reports.service.js';
import { LeaksController } from './leaks.controller.js';
import { LeaksService } from './leaks.service.js';

@Module({
  imports: [AuditModule, NotificationsModule],
  controllers: [LeaksController, GithubReportsController],
  providers: [LeaksService, GithubKeysService, GithubReportsService],
})
export class LeaksModule {}
