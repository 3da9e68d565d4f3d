import { Controller, Headers, Req } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { type GithubReportFeedback, GithubReportFeedbackSchema, GithubTokenReportsSchema } from '@tradetally/contracts';
import type { FastifyRequest } from 'fastify';
import { KIB } from '../../http/bodies.js';
import { Route } from '../../http/route.js';
import { GithubReportsService } from './github-reports.service.js';

/** The raw body this route takes (`raw: true`; empty when the request had none). */
function rawBody(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

@Controller('v1/leaks/github')
export class GithubReportsController {
  constructor(private readonly reports: GithubReportsService) {}

  // The body is documented with its schema but read raw: the signature covers the exact bytes, and
  // the service parses them only once the signature holds.
  @Route({
    method: 'POST',
    access: 'public',
    tag: 'Leak reports',
    summary: 'GitHub secret scanning partner reports: verifies GitHub’s signature, revokes the keys found, answers feedback per token',
    body: GithubTokenReportsSchema,
    bodyOptions: { raw: true, limit: 1024 * KIB },
    response: GithubReportFeedbackSchema,
    errors: ['invalid_signature', 'service_unavailable'],
  })
  @ApiHeader({ name: 'Github-Public-Key-Identifier', required: true, description: 'Which of GitHub’s secret scanning keys signed the body' })
  @ApiHeader({ name: 'Github-Public-Key-Signature', required: true, description: 'Base64 ECDSA P-256 / SHA-256 signature (DER) of the raw body' })
  receive(
    @Req() req: FastifyRequest,
    @Headers('github-public-key-identifier') identifier: string | undefined,
    @Headers('github-public-key-signature') signature: string | undefined,
  ): Promise<GithubReportFeedback> {
    return this.reports.receive(rawBody(req), { identifier, signature });
  }
}
