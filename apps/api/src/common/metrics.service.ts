import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The outcome of one credential check, as counted at /metrics. */
export type KeyCheckResult = 'ok' | 'invalid' | 'expired' | 'revoked' | 'rate_limited' | 'ip_not_allowed';

/** Prometheus metrics of this process: requests by route and status, key checks by result. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'tradetally_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'tradetally_http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly keyChecks = new Counter({
    name: 'tradetally_api_key_checks_total',
    help: 'API key checks by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly passwordChecks = new Counter({
    name: 'tradetally_password_checks_total',
    help: 'Password hashes computed to check a sign-in (attempts refused by a rate limit compute none)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tradetally_' });
  }
}
