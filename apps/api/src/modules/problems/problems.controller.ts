import { Controller, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ERROR_CODES, type ErrorCode } from '@tradetally/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../common/api-error.js';
import { Route } from '../../http/route.js';
import { problemGuideJson, problemIndexHtml, problemPageHtml } from './problem-pages.js';

const CODES = new Set<string>(ERROR_CODES);

/** HTML unless the client asks for JSON before HTML (browsers ask for HTML first). */
function wantsJson(request: FastifyRequest): boolean {
  const accept = (request.headers.accept ?? '').toLowerCase();
  const json = accept.indexOf('application/json');
  const html = accept.indexOf('text/html');
  return json !== -1 && (html === -1 || json < html);
}

/** The pages a problem's `type` points at: what each error code means and what to do. */
@ApiExcludeController()
@Controller('problems')
export class ProblemsController {
  @Route({ method: 'GET', access: 'public', tag: 'Problems', summary: 'Every error code and what to do (not in the OpenAPI document)' })
  index(@Res() reply: FastifyReply): void {
    reply.header('Cache-Control', 'public, max-age=3600').type('text/html; charset=utf-8').send(problemIndexHtml());
  }

  @Route({
    method: 'GET',
    path: ':code',
    access: 'public',
    tag: 'Problems',
    summary: 'What one error code means and what to do (not in the OpenAPI document)',
    errors: ['not_found'],
  })
  page(@Param('code') code: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    if (!CODES.has(code)) throw new ApiError('not_found', 'No problem page has this code.');
    reply.header('Cache-Control', 'public, max-age=3600').header('Vary', 'Accept');
    if (wantsJson(request)) reply.type('application/json; charset=utf-8').send(problemGuideJson(code as ErrorCode));
    else reply.type('text/html; charset=utf-8').send(problemPageHtml(code as ErrorCode));
  }
}
