import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { type GithubReportFeedback, GithubReportFeedbackSchema, GithubTokenReportsSchema } from '@tradetally/contracts';
import type { FastifyRequest } from 'fastify';
import { ApiContract } from '../../common/openapi.js';
import { Bodies, KIB } from '../../http/bodies.js';
import { Access } from '../auth/access.decorator.js';
import { GithubReportsService } from './github-reports.service.js';

/** The raw body this route takes (`raw: true`; empty when the request had none). */
function rawBody(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

@Controller('v1/leaks/github')
export class GithubReportsController {
  constructor(private readonly reports: GithubReportsService) {}

  @Post()
  @HttpCode(200)
  @Access('public')
  @Bodies({ raw: true, limit: 1024 * KIB })
  @ApiHeader({ name: 'Github-Public-Key-Identifier', required: true, description: 'Which of GitHub’s secret scanning keys signed the body' })
  @ApiHeader({ name: 'Github-Public-Key-Signature', required: true, description: 'Base64 ECDSA P-256 / SHA-256 signature (DER) of the raw body' })
  @ApiContract({
    tag: 'Leak reports',
    summary: 'GitHub secret scanning partner reports: verifies GitHub’s signature, revokes the keys found, answers feedback per token',
    body: GithubTokenReportsSchema,
    response: GithubReportFeedbackSchema,
    errors: ['invalid_signature', 'validation_failed', 'payload_too_large', 'service_unavailable'],
    auth: false,
  })
  receive(
    @Req() req: FastifyRequest,
    @Headers('github-public-key-identifier') identifier: string | undefined,
    @Headers('github-public-key-signature') signature: string | undefined,
  ): Promise<GithubReportFeedback> {
    return this.reports.receive(rawBody(req), { identifier, signature });
  }
}
