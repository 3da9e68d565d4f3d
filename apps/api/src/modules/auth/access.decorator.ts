import { type ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { ApiKeyScope } from '@tradetally/contracts';
import type { Request } from 'express';
import { ApiError } from '../../common/api-error.js';

/**
 * Who may call a route:
 * - `public`: anyone, credentials ignored;
 * - `optional`: anyone; credentials, when sent, must be valid and identify the caller;
 * - `session`: a signed-in user (an API key gets 403 session_required);
 * - `read` / `read_write`: a session, or an API key with that scope (403 insufficient_scope).
 * A route without the decorator is `session`: the safe default.
 */
export type AccessLevel = 'public' | 'optional' | 'session' | ApiKeyScope;

export const ACCESS_KEY = 'tradetally:access';

/** Sets who may call a route (see AccessLevel). */
export const Access = (level: AccessLevel) => SetMetadata(ACCESS_KEY, level);

/** The authenticated caller of a request. */
export interface Principal {
  kind: 'session' | 'api_key';
  userId: string;
  sessionId: string | null;
  apiKeyId: string | null;
  scope: ApiKeyScope | null;
}

/** A request after the guard. */
export type AuthedRequest = Request & { principal?: Principal };

/** The caller; on a route that requires one, always set. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new ApiError('unauthenticated');
  return principal;
});

/** The caller when there is one (routes with `optional` access). */
export const OptionalPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | null => ctx.switchToHttp().getRequest<AuthedRequest>().principal ?? null,
);

/** The client's address, as the rate limits count it. */
export const ClientAddress = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<Request>().ip ?? 'unknown',
);
