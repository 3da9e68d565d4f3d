import { Controller, Get } from '@nestjs/common';
import type { HealthResponse } from '@tradetally/contracts';
import { HealthService } from './health.service.js';

@Controller('v1/health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  check(): Promise<HealthResponse> {
    return this.health.check();
  }
}
