import { timingSafeEqual } from 'node:crypto';
import { Controller, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../common/api-error.js';
import { isLoopback } from '../../common/client-address.js';
import { MetricsService } from '../../common/metrics.service.js';
import { APP_CONFIG } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import { Route } from '../../http/route.js';

/**
 * Prometheus scrape endpoint. Counts only: no ids, no keys, no e-mail addresses. With METRICS_TOKEN
 * set it answers only that bearer token; without, only loopback clients (the client address as
 * TRUST_PROXY defines it). Everyone else gets 404, as if there were no such route (security.md).
 */
@Controller('metrics')
@ApiExcludeController()
export class MetricsController {
  private readonly token: Buffer | null;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.token = config.METRICS_TOKEN ? Buffer.from(`Bearer ${config.METRICS_TOKEN}`) : null;
  }

  private allowed(req: FastifyRequest): boolean {
    if (!this.token) return isLoopback(req.ip);
    const sent = Buffer.from(req.headers.authorization ?? '');
    return sent.length === this.token.length && timingSafeEqual(sent, this.token);
  }

  @Route({ method: 'GET', access: 'public', tag: 'Metrics', summary: 'Prometheus metrics (not in the OpenAPI document)', errors: ['not_found'] })
  async scrape(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    if (!this.allowed(req)) throw new ApiError('not_found', 'No such route.');
    await res.header('Content-Type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
