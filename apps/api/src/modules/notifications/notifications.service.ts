import { Injectable } from '@nestjs/common';
import type { ListNotificationsQuery, Notification, Page } from '@tradetally/contracts';
import { type NotificationRecord, RecordsRepository } from '@tradetally/database';
import { ApiError } from '../../common/api-error.js';
import { decodeCursor, toPage } from '../../common/pagination.js';

function toNotification(entity: NotificationRecord): Notification {
  return {
    id: entity.id,
    type: entity.type,
    apiKeyId: entity.apiKeyId,
    title: entity.title,
    body: entity.body,
    createdAt: entity.createdAt.toISOString(),
    readAt: entity.readAt ? entity.readAt.toISOString() : null,
  };
}

@Injectable()
export class NotificationsService {
  constructor(private readonly records: RecordsRepository) {}

  async list(userId: string, query: ListNotificationsQuery): Promise<Page<Notification>> {
    const rows = await this.records.notificationsPage(userId, { unread: query.unread, cursor: decodeCursor(query.cursor), limit: query.limit });
    return toPage(rows, query.limit, toNotification, (row) => ({ at: row.createdAt, id: row.id }));
  }

  /** Marks one of the user's notifications read (the first read time is kept). */
  async markRead(userId: string, id: string): Promise<Notification> {
    await this.records.markRead(userId, id, new Date());
    const row = await this.records.findNotification(userId, id);
    if (!row) throw new ApiError('not_found', 'No such notification.');
    return toNotification(row);
  }
}
