import { Inject, Injectable } from '@nestjs/common';
import type { AuditEvent, ListAuditEventsQuery, Page } from '@tradetally/contracts';
import { AuditEventEntity, type Db } from '@tradetally/database';
import { pageNewestFirst } from '../../common/pagination.js';
import { DB } from '../../common/tokens.js';

function toAuditEvent(entity: AuditEventEntity): AuditEvent {
  return {
    id: entity.id,
    type: entity.type,
    apiKeyId: entity.apiKeyId,
    actor: entity.actor,
    createdAt: entity.createdAt.toISOString(),
    details: JSON.parse(entity.details) as Record<string, unknown>,
  };
}

/** The audit trail, as users read it; events are written by writeAuditEvent (@tradetally/database) inside the change's transaction. */
@Injectable()
export class AuditService {
  constructor(@Inject(DB) private readonly db: Db) {}

  async list(userId: string, query: ListAuditEventsQuery): Promise<Page<AuditEvent>> {
    const qb = this.db.manager.createQueryBuilder(AuditEventEntity, 'e').where('e.user_id = :userId', { userId });
    if (query.apiKeyId) qb.andWhere('e.api_key_id = :apiKeyId', { apiKeyId: query.apiKeyId });
    return pageNewestFirst(qb, query, toAuditEvent);
  }
}
