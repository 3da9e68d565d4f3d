import { Controller } from '@nestjs/common';
import {
  type HealthResponse,
  HealthResponseSchema,
  type LivenessResponse,
  LivenessResponseSchema,
  type ReadinessResponse,
  ReadinessResponseSchema,
} from '@tradetally/contracts';
import { Route } from '../../http/route.js';
import { HealthService } from './health.service.js';

@Controller('v1/health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Route({ method: 'GET', access: 'public', tag: 'Health', summary: 'ok, or degraded while the database or the queue is down', response: HealthResponseSchema })
  check(): Promise<HealthResponse> {
    return this.health.check();
  }

  /** For a container's health check: touches nothing, so a database outage never restarts the process. */
  @Route({ method: 'GET', path: 'live', access: 'public', tag: 'Health', summary: 'ok while the process runs', response: LivenessResponseSchema })
  live(): LivenessResponse {
    return this.health.live();
  }

  @Route({
    method: 'GET',
    path: 'ready',
    access: 'public',
    tag: 'Health',
    summary: 'ok when the database answers and its schema is current; 503 otherwise and while the instance stops',
    response: ReadinessResponseSchema,
    errors: ['service_unavailable'],
  })
  ready(): Promise<ReadinessResponse> {
    return this.health.ready();
  }
}
