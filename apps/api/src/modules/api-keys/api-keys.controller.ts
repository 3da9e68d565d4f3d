import { Controller, Header, Param } from '@nestjs/common';
import {
  type ApiKey,
  ApiKeyPageSchema,
  ApiKeySchema,
  type ApiKeySelf,
  ApiKeySelfSchema,
  CreateApiKeyRequestSchema,
  type CreateApiKeyResponse,
  CreateApiKeyResponseSchema,
  ListApiKeysQuerySchema,
  type Page,
  RotateApiKeyRequestSchema,
  type RotateApiKeyResponse,
  RotateApiKeyResponseSchema,
  LookupApiKeyRequestSchema,
  SelfRotateRequestSchema,
  type SelfRotateResponse,
  SelfRotateResponseSchema,
  UpdateApiKeyRequestSchema,
  UsageQuerySchema,
  type UsageResponse,
  UsageResponseSchema,
} from '@tradetally/contracts';
import type { z } from 'zod';
import { RateLimitService } from '../../common/rate-limit.service.js';
import { parseId } from '../../common/validation.js';
import { Input, Route } from '../../http/route.js';
import { CurrentPrincipal, type Principal } from '../auth/access.decorator.js';
import { ApiKeysService } from './api-keys.service.js';

/** Key management: sessions only, so a leaked key can never mint or rotate keys. */
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly limits: RateLimitService,
  ) {}

  // The literal paths come before `:id`, so `self` and `lookup` are never read as ids.
  @Route({
    method: 'GET',
    path: 'self',
    access: 'key-itself',
    tag: 'API keys',
    summary: 'The calling API key itself (any scope): its settings, never where or by what it was last used',
    response: ApiKeySelfSchema,
  })
  self(@CurrentPrincipal() principal: Principal): Promise<ApiKeySelf> {
    return this.keys.self(principal);
  }

  @Route({
    method: 'POST',
    path: 'self/rotate',
    access: 'key-itself',
    tag: 'API keys',
    summary: 'Let a key renew itself (opt-in per key with selfRotate); default grace 60 minutes, at most 24 hours; SELF_ROTATE_PER_HOUR per lineage',
    body: SelfRotateRequestSchema,
    bodyOptional: true,
    status: 201,
    response: SelfRotateResponseSchema,
    errors: ['self_rotation_disabled', 'not_rotatable'],
  })
  // The answer carries a secret (a new key or a session token): never stored by a cache.
  @Header('Cache-Control', 'no-store')
  rotateSelf(@CurrentPrincipal() principal: Principal, @Input() body: z.output<typeof SelfRotateRequestSchema>): Promise<SelfRotateResponse> {
    return this.keys.rotateSelf(principal, body);
  }

  @Route({
    method: 'POST',
    path: 'lookup',
    access: 'session-or-extension',
    tag: 'API keys',
    summary: 'Is this whole key one of yours (any status)? 404 otherwise; never counted as a failed check',
    body: LookupApiKeyRequestSchema,
    response: ApiKeySchema,
    errors: ['not_found'],
  })
  async lookup(@CurrentPrincipal() principal: Principal, @Input() body: z.output<typeof LookupApiKeyRequestSchema>): Promise<ApiKey> {
    await this.limits.consume('lookup', principal.sessionId ?? principal.userId);
    return this.keys.lookup(principal.userId, body.key);
  }

  @Route({
    method: 'GET',
    access: 'session-or-extension',
    tag: 'API keys',
    summary: 'List your keys, newest first',
    query: ListApiKeysQuerySchema,
    response: ApiKeyPageSchema,
  })
  list(@CurrentPrincipal() principal: Principal, @Input('query') query: z.output<typeof ListApiKeysQuerySchema>): Promise<Page<ApiKey>> {
    return this.keys.list(principal.userId, query);
  }

  @Route({
    method: 'POST',
    access: 'session',
    tag: 'API keys',
    summary: 'Create a key; the secret is in this answer only',
    body: CreateApiKeyRequestSchema,
    status: 201,
    response: CreateApiKeyResponseSchema,
  })
  // The answer carries a secret (a new key or a session token): never stored by a cache.
  @Header('Cache-Control', 'no-store')
  create(@CurrentPrincipal() principal: Principal, @Input() body: z.output<typeof CreateApiKeyRequestSchema>): Promise<CreateApiKeyResponse> {
    return this.keys.create(principal.userId, body);
  }

  @Route({ method: 'GET', path: ':id', access: 'session-or-extension', tag: 'API keys', summary: 'One key', response: ApiKeySchema, errors: ['not_found'] })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ApiKey> {
    return this.keys.get(principal.userId, parseId(id));
  }

  @Route({
    method: 'PATCH',
    path: ':id',
    access: 'session',
    tag: 'API keys',
    summary: 'Rename a key or change its allowed addresses (null clears them)',
    body: UpdateApiKeyRequestSchema,
    response: ApiKeySchema,
    errors: ['not_found'],
  })
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Input() body: z.output<typeof UpdateApiKeyRequestSchema>): Promise<ApiKey> {
    return this.keys.update(principal.userId, parseId(id), body);
  }

  @Route({
    method: 'GET',
    path: ':id/usage',
    access: 'session',
    tag: 'API keys',
    summary: 'Accepted and rejected uses per UTC day, oldest first, zero days included',
    query: UsageQuerySchema,
    response: UsageResponseSchema,
    errors: ['not_found'],
  })
  usage(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Input('query') query: z.output<typeof UsageQuerySchema>): Promise<UsageResponse> {
    return this.keys.usage(principal.userId, parseId(id), query);
  }

  @Route({
    method: 'DELETE',
    path: ':id',
    access: 'session',
    tag: 'API keys',
    summary: 'Revoke a key at once (again: same answer)',
    response: ApiKeySchema,
    errors: ['not_found'],
  })
  revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ApiKey> {
    return this.keys.revoke(principal.userId, parseId(id));
  }

  @Route({
    method: 'POST',
    path: ':id/rotate',
    access: 'session',
    tag: 'API keys',
    summary: 'Replace a key; the old one works until its grace end',
    body: RotateApiKeyRequestSchema,
    bodyOptional: true,
    status: 201,
    response: RotateApiKeyResponseSchema,
    errors: ['not_found', 'not_rotatable'],
  })
  // The answer carries a secret (a new key or a session token): never stored by a cache.
  @Header('Cache-Control', 'no-store')
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Input() body: z.output<typeof RotateApiKeyRequestSchema>,
  ): Promise<RotateApiKeyResponse> {
    return this.keys.rotate(principal.userId, parseId(id), body);
  }
}
