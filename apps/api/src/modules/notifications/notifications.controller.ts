import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ListNotificationsQuerySchema, type Notification, NotificationPageSchema, NotificationSchema, type Page } from '@tradetally/contracts';
import { ApiContract } from '../../common/openapi.js';
import { parseId, parseWith } from '../../common/validation.js';
import { Access, CurrentPrincipal, ExtensionAllowed, type Principal } from '../auth/access.decorator.js';
import { NotificationsService } from './notifications.service.js';

@Controller('v1/notifications')
@Access('session')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ExtensionAllowed()
  @ApiContract({
    tag: 'Notifications and audit',
    summary: 'Your notifications, newest first',
    query: ListNotificationsQuerySchema,
    response: NotificationPageSchema,
    errors: ['unauthenticated', 'session_required', 'validation_failed'],
  })
  list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<Page<Notification>> {
    return this.notifications.list(principal.userId, parseWith(ListNotificationsQuerySchema, query, 'query'));
  }

  @Post(':id/read')
  @ExtensionAllowed()
  @HttpCode(200)
  @ApiContract({
    tag: 'Notifications and audit',
    summary: 'Mark a notification read',
    response: NotificationSchema,
    errors: ['unauthenticated', 'session_required', 'not_found'],
  })
  read(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<Notification> {
    return this.notifications.markRead(principal.userId, parseId(id));
  }
}
