import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { LeaksController } from './leaks.controller.js';
import { LeaksService } from './leaks.service.js';

@Module({ imports: [AuditModule, NotificationsModule], controllers: [LeaksController], providers: [LeaksService] })
export class LeaksModule {}
