import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { LeakReportRequestSchema, type LeakReportResponse, LeakReportResponseSchema } from '@tradetally/contracts';
import { ApiContract } from '../../common/openapi.js';
import { parseWith } from '../../common/validation.js';
import { Access, ClientAddress, OptionalPrincipal, type Principal } from '../auth/access.decorator.js';
import { LeaksService } from './leaks.service.js';

@Controller('v1/leaks')
export class LeaksController {
  constructor(private readonly leaks: LeaksService) {}

  @Post()
  @HttpCode(202)
  @Access('optional')
  @ApiContract({
    tag: 'Leak reports',
    summary: 'Report a leaked key (or a text holding keys); the same answer for hit and miss',
    body: LeakReportRequestSchema,
    status: 202,
    response: LeakReportResponseSchema,
    errors: ['validation_failed', 'rate_limited', 'payload_too_large'],
  })
  report(@Body() body: unknown, @OptionalPrincipal() principal: Principal | null, @ClientAddress() address: string): Promise<LeakReportResponse> {
    return this.leaks.report(parseWith(LeakReportRequestSchema, body), principal, address);
  }
}
