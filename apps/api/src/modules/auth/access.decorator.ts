import { type ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { ApiKeyScope, SessionClient } from '@tradetally/contracts';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../common/api-error.js';

/**
 * Who may call a route:
 * - `public`: anyone, credentials ignored;
 * - `optional`: anyone; valid credentials identify the caller, and missing, invalid or expired
 *   ones make the call anonymous (never a 401: a stale token must not stop a leak report);
 * - `session`: a signed-in user (an API key gets 403 session_required);
 * - `read` / `read_write`: a session, or an API key with that scope (403 insufficient_scope).
 * A route without the decorator is `session`: the safe default.
 */
export type AccessLevel = 'public' | 'optional' | 'session' | ApiKeyScope;

export const ACCESS_KEY = 'tradetally:access';

/** Sets who may call a route (see AccessLevel). */
export const Access = (level: AccessLevel) => SetMetadata(ACCESS_KEY, level);

export const EXTENSION_KEY = 'tradetally:extension';

/**
 * Lets an extension session call a route (http-api.md "Extension sessions": read key metadata and
 * notifications, report leaks). Every other route answers an extension session 403
 * insufficient_scope, so a stolen extension credential can never create, rotate or revoke keys.
 */
export const ExtensionAllowed = () => SetMetadata(EXTENSION_KEY, true);

/** The authenticated caller of a request. */
export interface Principal {
  kind: 'session' | 'api_key';
  userId: string;
  sessionId: string | null;
  apiKeyId: string | null;
  scope: ApiKeyScope | null;
  /** For sessions: the client the session was made for. */
  client: SessionClient | null;
}

/** A request after the guard. */
export type AuthedRequest = FastifyRequest & { principal?: Principal };

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
export const ClientAddress = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<FastifyRequest>().ip);
