import { Injectable } from '@nestjs/common';
import type { AuditEvent, ListAuditEventsQuery, Page } from '@tradetally/contracts';
import { type AuditEventRecord, RecordsRepository } from '@tradetally/database';
import { decodeCursor, toPage } from '../../common/pagination.js';

function toAuditEvent(entity: AuditEventRecord): AuditEvent {
  return {
    id: entity.id,
    type: entity.type,
    apiKeyId: entity.apiKeyId,
    actor: entity.actor,
    createdAt: entity.createdAt.toISOString(),
    details: JSON.parse(entity.details) as Record<string, unknown>,
  };
}

/** The audit trail, as users read it; events are written by RecordsRepository.audit inside the change's transaction. */
@Injectable()
export class AuditService {
  constructor(private readonly records: RecordsRepository) {}

  async list(userId: string, query: ListAuditEventsQuery): Promise<Page<AuditEvent>> {
    const rows = await this.records.auditPage(userId, { apiKeyId: query.apiKeyId, cursor: decodeCursor(query.cursor), limit: query.limit });
    return toPage(rows, query.limit, toAuditEvent, (row) => ({ at: row.createdAt, id: row.id }));
  }
}
