import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { isDatabaseUnavailable } from '@tradetally/database';
import { ApiError } from './api-error.js';

const log = new Logger('Errors');

/** Maps anything thrown to an ApiError: the only place error bodies are made. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  // A database that is down or too slow is a reason to come back shortly, not a bug (http-api.md).
  if (isDatabaseUnavailable(error)) {
    // Not a bug, but an operator wants to know: one warning line with the driver's reason.
    log.warn(`answered 503: ${error instanceof Error ? error.message : String(error)}`);
    return new ApiError('service_unavailable', 'The database does not answer; try again shortly.', undefined, { 'Retry-After': '5' });
  }
  // Fastify's own errors (reading the body, a malformed URL) carry a `FST_` code and a status.
  const framework = error as { code?: unknown; statusCode?: unknown };
  if (typeof framework?.code === 'string' && framework.code.startsWith('FST_') && typeof framework.statusCode === 'number') {
    // A path that does not decode is a 400 validation_failed, as any invalid request.
    if (framework.code === 'FST_ERR_BAD_URL') return new ApiError('validation_failed', 'The request is not valid.');
    if (framework.statusCode === 413) return new ApiError('payload_too_large', 'The request body is too large.');
    if (framework.statusCode === 415) return new ApiError('unsupported_media_type', 'The request body type is not supported.');
    if (framework.statusCode >= 400 && framework.statusCode < 500) return new ApiError('bad_request', 'The request could not be read.');
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status === 404) return new ApiError('not_found', 'No such route.');
    if (status === 413) return new ApiError('payload_too_large', 'The request body is too large.');
    if (status === 415) return new ApiError('unsupported_media_type', 'The request body type is not supported.');
    if (status === 429) return new ApiError('rate_limited');
    if (status >= 400 && status < 500) return new ApiError('validation_failed', 'The request is not valid.');
  }
  return new ApiError('internal_error', 'Something went wrong on our side; nothing was changed by the failed step.');
}

/** The status, headers and body of `error` as problem details (logged when it is our own failure). */
function problemOf(error: unknown, requestId: string | undefined): { status: number; headers: Record<string, string>; body: string } {
  const apiError = toApiError(error);
  if (apiError.code === 'internal_error') log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return {
    status: apiError.status,
    headers: { ...apiError.headers, 'Content-Type': 'application/problem+json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: JSON.stringify(apiError.toProblem(requestId)),
  };
}

/** Writes `error` as problem details. */
export function sendProblem(reply: FastifyReply, error: unknown): void {
  const problem = problemOf(error, reply.request.id);
  if (reply.sent || reply.raw.headersSent) return;
  reply.status(problem.status).headers(problem.headers).send(problem.body);
}

/** The same on Node's own response, for answers written outside a route (the graceful stop's 503). */
export function writeProblem(res: ServerResponse, error: unknown, requestId?: string): void {
  const problem = problemOf(error, requestId);
  if (res.headersSent) return;
  res.writeHead(problem.status, problem.headers).end(problem.body);
}

/** Nest's filter for everything a route throws. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    sendProblem(host.switchToHttp().getResponse<FastifyReply>(), exception);
  }
}
