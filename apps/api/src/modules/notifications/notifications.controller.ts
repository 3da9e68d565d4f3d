import { Controller, Param } from '@nestjs/common';
import {
  type ListNotificationsQuery,
  ListNotificationsQuerySchema,
  type Notification,
  NotificationPageSchema,
  NotificationSchema,
  type Page,
} from '@tradetally/contracts';
import { parseId } from '../../common/validation.js';
import { Input, Route } from '../../http/route.js';
import { CurrentPrincipal, type Principal } from '../auth/access.decorator.js';
import { NotificationsService } from './notifications.service.js';

@Controller('v1/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Route({
    method: 'GET',
    access: 'session-or-extension',
    tag: 'Notifications and audit',
    summary: 'Your notifications, newest first',
    query: ListNotificationsQuerySchema,
    response: NotificationPageSchema,
  })
  list(@CurrentPrincipal() principal: Principal, @Input('query') query: ListNotificationsQuery): Promise<Page<Notification>> {
    return this.notifications.list(principal.userId, query);
  }

  @Route({
    method: 'POST',
    path: ':id/read',
    access: 'session-or-extension',
    tag: 'Notifications and audit',
    summary: 'Mark a notification read',
    response: NotificationSchema,
    errors: ['not_found'],
  })
  read(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<Notification> {
    return this.notifications.markRead(principal.userId, parseId(id));
  }
}
