import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type AuditActor, type AuditEvent, type AuditEventType, type ListAuditEventsQuery, type Page, redactApiKeys } from '@tradetally/contracts';
import { AuditEventEntity, type Db, type EntityManager } from '@tradetally/database';
import { pageNewestFirst } from '../../common/pagination.js';
import { DB } from '../../common/tokens.js';

/** An audit event to write. `details` must never hold a secret; strings are scrubbed of keys anyway. */
export interface NewAuditEvent {
  userId: string;
  apiKeyId: string | null;
  type: AuditEventType;
  actor: AuditActor;
  details?: Record<string, unknown>;
  dedupeKey?: string;
}

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

/** The audit trail: written inside the transaction of the change it records. */
@Injectable()
export class AuditService {
  constructor(@Inject(DB) private readonly db: Db) {}

  /** Writes one event with `manager` (the caller's transaction) and returns its id. */
  async record(manager: EntityManager, event: NewAuditEvent, at = new Date()): Promise<string> {
    const id = randomUUID();
    await manager.insert(AuditEventEntity, {
      id,
      userId: event.userId,
      apiKeyId: event.apiKeyId,
      type: event.type,
      actor: event.actor,
      details: redactApiKeys(JSON.stringify(event.details ?? {})),
      createdAt: at,
      dedupeKey: event.dedupeKey ?? null,
    });
    return id;
  }

  async list(userId: string, query: ListAuditEventsQuery): Promise<Page<AuditEvent>> {
    const qb = this.db.manager.createQueryBuilder(AuditEventEntity, 'e').where('e.user_id = :userId', { userId });
    if (query.apiKeyId) qb.andWhere('e.api_key_id = :apiKeyId', { apiKeyId: query.apiKeyId });
    return pageNewestFirst(qb, query, toAuditEvent);
  }
}
