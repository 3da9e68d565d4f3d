import { type ExecutionContext, Delete, Get, HttpCode, Patch, Post, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { ApiKeyScope, ErrorCode } from '@tradetally/contracts';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ApiContract, type ContractOptions } from '../common/openapi.js';
import { parseWith } from '../common/validation.js';
import type { BodyOptions } from './bodies.js';

/**
 * Who may call a route:
 * - `public`: anyone, credentials ignored (no OpenAPI security);
 * - `optional`: anyone; valid credentials identify the caller, others make the call anonymous;
 * - `session`: a signed-in user of the settings page (an API key gets 403 session_required, an
 *   extension session 403 insufficient_scope);
 * - `session-or-extension`: a signed-in user, from the page or the extension;
 * - `{ key: scope }`: a session, or an API key with that scope (a `read` key on a `read_write`
 *   route gets 403 insufficient_scope);
 * - `key-itself`: the calling API key, any scope (a session gets 403 api_key_required).
 */
export type RouteAccess = 'public' | 'optional' | 'session' | 'session-or-extension' | { key: ApiKeyScope } | 'key-itself';

/** Errors any route that takes credentials can answer, from the credential check itself. */
const CREDENTIAL_ERRORS: readonly ErrorCode[] = ['unauthenticated', 'invalid_api_key', 'api_key_expired', 'api_key_revoked', 'ip_not_allowed', 'rate_limited'];

/** The errors a route can answer because of who may call it: the one place they are listed. */
export function accessErrors(access: RouteAccess): ErrorCode[] {
  if (access === 'public' || access === 'optional') return [];
  if (access === 'session') return [...CREDENTIAL_ERRORS, 'session_required', 'insufficient_scope'];
  if (access === 'session-or-extension') return [...CREDENTIAL_ERRORS, 'session_required'];
  if (access === 'key-itself') return [...CREDENTIAL_ERRORS, 'insufficient_scope', 'api_key_required'];
  return [...CREDENTIAL_ERRORS, 'insufficient_scope'];
}

/**
 * The guard's view of an access: the level a credential must reach (`read` and `read_write` are
 * key scopes; `session` refuses keys), and whether an extension session may call the route.
 */
export interface GuardAccess {
  level: 'public' | 'optional' | 'session' | ApiKeyScope;
  extension: boolean;
}

/** What AuthGuard checks for a route's access; a handler without `@Route` is `session`. */
export function guardOf(access: RouteAccess = 'session'): GuardAccess {
  if (access === 'session-or-extension') return { level: 'session', extension: true };
  if (access === 'key-itself') return { level: 'read', extension: false };
  if (typeof access === 'object') return { level: access.key, extension: false };
  return { level: access, extension: false };
}

/** One route's whole declaration. */
export interface RouteOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Below the controller's path (`''` for the path itself). */
  path?: string;
  access: RouteAccess;
  tag: string;
  summary: string;
  /** The JSON body, parsed with this schema before the handler runs (`@Input()`). */
  body?: z.ZodType;
  /** True when the body may be left out: an absent body is parsed as `{}`. */
  bodyOptional?: boolean;
  /** How the body is read: limit, raw bytes, text (see http/bodies.ts). */
  bodyOptions?: BodyOptions;
  /** Other request bodies, by media type, for the OpenAPI document (e.g. `text/csv`). */
  extraBodies?: ContractOptions['extraBodies'];
  /** The query, parsed with this schema before the handler runs (`@Input('query')`). */
  query?: z.ZodObject;
  /** The success status (default 200). */
  status?: number;
  response?: z.ZodType;
  /** The route's own errors, beyond those of its access and its input. */
  errors?: ErrorCode[];
}

export const ROUTE_KEY = 'tradetally:route';

/** The errors a route documents: its access's, its input's, and its own. */
export function routeErrors(options: Pick<RouteOptions, 'access' | 'body' | 'query' | 'errors'>): ErrorCode[] {
  const input: ErrorCode[] = [];
  if (options.body || options.query) input.push('validation_failed');
  if (options.body) input.push('payload_too_large');
  return [...new Set([...accessErrors(options.access), ...input, ...(options.errors ?? [])])];
}

const METHODS = { GET: Get, POST: Post, PATCH: Patch, DELETE: Delete };

/**
 * Declares a route once: its method and path, who may call it, its success status, how its body is
 * read, the input the handler receives parsed (`@Input()`), and its OpenAPI operation, whose
 * errors and security come from the same access.
 */
export function Route(options: RouteOptions): MethodDecorator {
  const decorators: Array<ClassDecorator | MethodDecorator | PropertyDecorator> = [
    METHODS[options.method](options.path ?? ''),
    HttpCode(options.status ?? 200),
    SetMetadata(ROUTE_KEY, options),
    ApiContract({
      tag: options.tag,
      summary: options.summary,
      body: options.body,
      extraBodies: options.extraBodies,
      query: options.query,
      status: options.status,
      response: options.response,
      errors: routeErrors(options),
      auth: options.access !== 'public',
    }),
  ];
  if (options.bodyOptions) decorators.push(RouteConfig({ body: options.bodyOptions }));
  return applyDecorators(...decorators);
}

/**
 * The route's input, parsed with the schema its `@Route` declares (`'body'`, the default, or
 * `'query'`): a failure is 400 validation_failed. On a route that takes other media types besides
 * JSON (`extraBodies`) only a JSON body is parsed; any other arrives as it is (a string, or
 * undefined), for the handler to read or refuse.
 */
export const Input = createParamDecorator((part: 'body' | 'query' | undefined, context: ExecutionContext): unknown => {
  const where = part ?? 'body';
  const options = Reflect.getMetadata(ROUTE_KEY, context.getHandler()) as RouteOptions | undefined;
  const schema = where === 'body' ? options?.body : options?.query;
  if (!schema) throw new Error(`@Input('${where}') on a route whose @Route declares no ${where} schema`);
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const value = where === 'body' ? (request.body ?? (options?.bodyOptional ? {} : undefined)) : request.query;
  if (where === 'body' && options?.extraBodies && (typeof value !== 'object' || value === null)) return value;
  return parseWith(schema, value, where);
});
