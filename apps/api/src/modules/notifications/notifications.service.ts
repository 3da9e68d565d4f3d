import { Inject, Injectable } from '@nestjs/common';
import type { ListNotificationsQuery, Notification, Page } from '@tradetally/contracts';
import { type Db, NotificationEntity } from '@tradetally/database';
import { ApiError } from '../../common/api-error.js';
import { pageNewestFirst } from '../../common/pagination.js';
import { DB } from '../../common/tokens.js';

function toNotification(entity: NotificationEntity): Notification {
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
  constructor(@Inject(DB) private readonly db: Db) {}

  async list(userId: string, query: ListNotificationsQuery): Promise<Page<Notification>> {
    const qb = this.db.manager.createQueryBuilder(NotificationEntity, 'n').where('n.user_id = :userId', { userId });
    if (query.unread === true) qb.andWhere('n.read_at IS NULL');
    if (query.unread === false) qb.andWhere('n.read_at IS NOT NULL');
    return pageNewestFirst(qb, query, toNotification);
  }

  /** Marks one of the user's notifications read (the first read time is kept). */
  async markRead(userId: string, id: string): Promise<Notification> {
    await this.db.write((manager) =>
      manager
        .createQueryBuilder()
        .update(NotificationEntity)
        .set({ readAt: new Date() })
        .where('id = :id AND user_id = :userId AND read_at IS NULL', { id, userId })
        .execute(),
    );
    const row = await this.db.manager.findOneBy(NotificationEntity, { id, userId });
    if (!row) throw new ApiError('not_found', 'No such notification.');
    return toNotification(row);
  }
}
