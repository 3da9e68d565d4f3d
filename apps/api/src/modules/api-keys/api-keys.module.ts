import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';

@Module({ imports: [AuditModule, NotificationsModule], controllers: [ApiKeysController], providers: [ApiKeysService] })
export class ApiKeysModule {}
