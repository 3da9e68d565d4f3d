import { Controller } from '@nestjs/common';
import { LeakReportRequestSchema, type LeakReportResponse, LeakReportResponseSchema } from '@tradetally/contracts';
import type { z } from 'zod';
import { MIB } from '../../http/bodies.js';
import { Input, Route } from '../../http/route.js';
import { ClientAddress, OptionalPrincipal, type Principal } from '../auth/access.decorator.js';
import { LeaksService } from './leaks.service.js';

@Controller('v1/leaks')
export class LeaksController {
  constructor(private readonly leaks: LeaksService) {}

  @Route({
    method: 'POST',
    access: 'optional',
    tag: 'Leak reports',
    summary: 'Report a leaked key (or a text holding keys); the same answer for hit and miss',
    body: LeakReportRequestSchema,
    bodyOptions: { text: true, limit: 5 * MIB },
    status: 202,
    response: LeakReportResponseSchema,
    errors: ['rate_limited'],
  })
  report(
    @Input() body: z.output<typeof LeakReportRequestSchema>,
    @OptionalPrincipal() principal: Principal | null,
    @ClientAddress() address: string,
  ): Promise<LeakReportResponse> {
    return this.leaks.report(body, principal, address);
  }
}
