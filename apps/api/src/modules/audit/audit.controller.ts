import { Controller, Get, Query } from '@nestjs/common';
import { type AuditEvent, AuditEventPageSchema, ListAuditEventsQuerySchema, type Page } from '@tradetally/contracts';
import { ApiContract } from '../../common/openapi.js';
import { parseWith } from '../../common/validation.js';
import { Access, CurrentPrincipal, type Principal } from '../auth/access.decorator.js';
import { AuditService } from './audit.service.js';

@Controller('v1/audit-events')
@Access('session')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiContract({
    tag: 'Notifications and audit',
    summary: 'What happened to your keys, newest first',
    query: ListAuditEventsQuerySchema,
    response: AuditEventPageSchema,
    errors: ['unauthenticated', 'session_required', 'validation_failed'],
  })
  list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<Page<AuditEvent>> {
    return this.audit.list(principal.userId, parseWith(ListAuditEventsQuerySchema, query, 'query'));
  }
}
