import { Controller } from '@nestjs/common';
import { type AuditEvent, AuditEventPageSchema, type ListAuditEventsQuery, ListAuditEventsQuerySchema, type Page } from '@tradetally/contracts';
import { Input, Route } from '../../http/route.js';
import { CurrentPrincipal, type Principal } from '../auth/access.decorator.js';
import { AuditService } from './audit.service.js';

@Controller('v1/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Route({
    method: 'GET',
    access: 'session',
    tag: 'Notifications and audit',
    summary: 'What happened to your keys, newest first',
    query: ListAuditEventsQuerySchema,
    response: AuditEventPageSchema,
  })
  list(@CurrentPrincipal() principal: Principal, @Input('query') query: ListAuditEventsQuery): Promise<Page<AuditEvent>> {
    return this.audit.list(principal.userId, query);
  }
}
