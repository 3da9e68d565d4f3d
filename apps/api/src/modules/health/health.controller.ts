import { Controller, Get } from '@nestjs/common';
import { type HealthResponse, HealthResponseSchema } from '@tradetally/contracts';
import { ApiContract } from '../../common/openapi.js';
import { Access } from '../auth/access.decorator.js';
import { HealthService } from './health.service.js';

@Controller('v1/health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Access('public')
  @ApiContract({ tag: 'Health', summary: 'ok, or degraded while the database or the queue is down', response: HealthResponseSchema, auth: false })
  check(): Promise<HealthResponse> {
    return this.health.check();
  }
}
