import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError } from '../../common/api-error.js';
import { pathOf } from '../../http/paths.js';
import { ROUTE_KEY, type RouteOptions, guardOf } from '../../http/route.js';
import type { AuthedRequest } from './access.decorator.js';
import { CredentialsService, type RequestInfo } from './credentials.service.js';
import { UsageCounter } from '../../common/usage-counter.service.js';

/** The credential of a request: `Authorization: Bearer …`, else `X-API-Key`. */
function credentialOf(request: AuthedRequest): string | null {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw new ApiError('unauthenticated', 'Use "Authorization: Bearer <token or API key>".');
    return match[1];
  }
  const header = request.headers['x-api-key'];
  const value = Array.isArray(header) ? header[0] : header;
  return value ? value.trim() : null;
}

/** The one authentication guard: sessions and API keys, scopes, session-only routes. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
    private readonly usage: UsageCounter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { level, extension } = guardOf(this.reflector.get<RouteOptions | undefined>(ROUTE_KEY, context.getHandler())?.access);
    if (level === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    let credential: string | null;
    try {
      credential = credentialOf(request);
    } catch (error) {
      if (level === 'optional') return true; // a malformed header makes the call anonymous too
      throw error;
    }
    if (!credential) {
      if (level === 'optional') return true;
      throw new ApiError('unauthenticated', 'Send a session token or an API key in "Authorization: Bearer …".');
    }
    const info: RequestInfo = { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, method: request.method, path: pathOf(request.url) };
    if (level === 'optional') {
      // Missing, invalid or expired credentials make the call anonymous, uncounted (leak reports).
      request.principal = (await this.credentials.tryAuthenticate(credential, info)) ?? undefined;
      return true;
    }
    const principal = await this.credentials.authenticate(credential, info);
    request.principal = principal;
    // Only `session-or-extension` routes take an extension session: a stolen extension credential
    // can read keys and report leaks, never create, rotate or revoke keys.
    if (principal.client === 'extension' && !extension) {
      throw new ApiError('insufficient_scope', 'An extension session can read keys and report leaks; manage keys from the settings page.');
    }
    if (principal.kind === 'session') return true;
    if (level === 'read') {
      if (principal.apiKeyId) this.usage.accepted(principal.apiKeyId);
      return true;
    }
    if (level === 'session') {
      if (principal.apiKeyId) this.usage.rejected(principal.apiKeyId);
      throw new ApiError('session_required', 'Keys are managed from a signed-in session, not with an API key.');
    }
    if (principal.scope !== 'read_write') {
      if (principal.apiKeyId) this.usage.rejected(principal.apiKeyId);
      throw new ApiError('insufficient_scope', 'This route needs a key with the read_write scope.');
    }
    if (principal.apiKeyId) this.usage.accepted(principal.apiKeyId);
    return true;
  }
}
