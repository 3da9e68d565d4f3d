import { Controller, Get } from '@nestjs/common';
import {
  type HealthResponse,
  HealthResponseSchema,
  type LivenessResponse,
  LivenessResponseSchema,
  type ReadinessResponse,
  ReadinessResponseSchema,
} from '@tradetally/contracts';
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

  /** For a container's health check: touches nothing, so a database outage never restarts the process. */
  @Get('live')
  @Access('public')
  @ApiContract({ tag: 'Health', summary: 'ok while the process runs', response: LivenessResponseSchema, auth: false })
  live(): LivenessResponse {
    return this.health.live();
  }

  @Get('ready')
  @Access('public')
  @ApiContract({
    tag: 'Health',
    summary: 'ok when the database answers and its schema is current; 503 otherwise and while the instance stops',
    response: ReadinessResponseSchema,
    errors: ['service_unavailable'],
    auth: false,
  })
  ready(): Promise<ReadinessResponse> {
    return this.health.ready();
  }
}
