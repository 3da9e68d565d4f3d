import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { ApiKeyScope, SessionClient } from '@tradetally/contracts';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../common/api-error.js';

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
