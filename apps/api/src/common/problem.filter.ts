import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '@tradetally/database';
import { ApiError } from './api-error.js';

const log = new Logger('Errors');

/** Maps anything thrown to an ApiError: the only place error bodies are made. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  // A database that is down or too slow is a reason to come back shortly, not a bug (http-api.md).
  if (isDatabaseUnavailable(error))
    return new ApiError('service_unavailable', 'The database does not answer; try again shortly.', undefined, { 'Retry-After': '5' });
  // body-parser's errors carry `type` and `status`.
  const bodyError = error as { type?: string; status?: number };
  if (bodyError?.type === 'entity.too.large') return new ApiError('payload_too_large', 'The request body is too large.');
  if (bodyError?.type === 'entity.parse.failed') return new ApiError('validation_failed', 'The request body is not valid JSON.');
  if (bodyError?.type === 'charset.unsupported' || bodyError?.type === 'encoding.unsupported')
    return new ApiError('unsupported_media_type', 'The request body encoding is not supported.');
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

/** Writes `error` as problem details. */
export function sendProblem(response: Response, error: unknown): void {
  const apiError = toApiError(error);
  if (apiError.code === 'internal_error') log.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  if (response.headersSent) return;
  response.status(apiError.status);
  for (const [name, value] of Object.entries(apiError.headers)) response.setHeader(name, value);
  response.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  response.end(JSON.stringify(apiError.toProblem()));
}

/** Nest's filter for everything a route throws. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    sendProblem(host.switchToHttp().getResponse<Response>(), exception);
  }
}

/** Express error middleware for what fails before Nest routes (body parsing, size limits). */
export function problemMiddleware(error: unknown, _req: Request, res: Response, _next: NextFunction): void {
  sendProblem(res, error);
}
