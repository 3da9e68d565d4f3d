import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Header } from '@nestjs/common';
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
import { RateLimitService } from '../../common/rate-limit.service.js';
import { ApiContract } from '../../common/openapi.js';
import { parseId, parseWith } from '../../common/validation.js';
import { Access, CurrentPrincipal, ExtensionAllowed, type Principal } from '../auth/access.decorator.js';
import { ApiKeysService } from './api-keys.service.js';

const SESSION_ERRORS = ['unauthenticated', 'session_required'] as const;

/** Key management: sessions only, so a leaked key can never mint or rotate keys. */
@Controller('v1/api-keys')
@Access('session')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly limits: RateLimitService,
  ) {}

  // The literal paths come before `:id`, so `self` and `lookup` are never read as ids.
  @Get('self')
  @Access('read')
  @ApiContract({
    tag: 'API keys',
    summary: 'The calling API key itself (any scope): its settings, never where or by what it was last used',
    response: ApiKeySelfSchema,
    errors: ['unauthenticated', 'invalid_api_key', 'api_key_expired', 'api_key_revoked', 'ip_not_allowed', 'api_key_required', 'rate_limited'],
  })
  self(@CurrentPrincipal() principal: Principal): Promise<ApiKeySelf> {
    return this.keys.self(principal);
  }

  @Post('self/rotate')
  @Access('read')
  @ApiContract({
    tag: 'API keys',
    summary: 'Let a key renew itself (opt-in per key with selfRotate); default grace 60 minutes, at most 24 hours; SELF_ROTATE_PER_HOUR per lineage',
    body: SelfRotateRequestSchema,
    status: 201,
    response: SelfRotateResponseSchema,
    errors: [
      'unauthenticated',
      'invalid_api_key',
      'api_key_expired',
      'api_key_revoked',
      'ip_not_allowed',
      'api_key_required',
      'self_rotation_disabled',
      'not_rotatable',
      'validation_failed',
      'rate_limited',
    ],
  })
  // The answer carries a secret (a new key or a session token): never stored by a cache.
  @Header('Cache-Control', 'no-store')
  rotateSelf(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<SelfRotateResponse> {
    return this.keys.rotateSelf(principal, parseWith(SelfRotateRequestSchema, body ?? {}));
  }

  @Post('lookup')
  @HttpCode(200)
  @ExtensionAllowed()
  @ApiContract({
    tag: 'API keys',
    summary: 'Is this whole key one of yours (any status)? 404 otherwise; never counted as a failed check',
    body: LookupApiKeyRequestSchema,
    response: ApiKeySchema,
    errors: [...SESSION_ERRORS, 'validation_failed', 'not_found', 'rate_limited'],
  })
  async lookup(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<ApiKey> {
    const { key } = parseWith(LookupApiKeyRequestSchema, body);
    await this.limits.consume('lookup', principal.sessionId ?? principal.userId);
    return this.keys.lookup(principal.userId, key);
  }

  @Get()
  @ExtensionAllowed()
  @ApiContract({
    tag: 'API keys',
    summary: 'List your keys, newest first',
    query: ListApiKeysQuerySchema,
    response: ApiKeyPageSchema,
    errors: [...SESSION_ERRORS, 'validation_failed'],
  })
  list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<Page<ApiKey>> {
    return this.keys.list(principal.userId, parseWith(ListApiKeysQuerySchema, query, 'query'));
  }

  @Post()
  @ApiContract({
    tag: 'API keys',
    summary: 'Create a key; the secret is in this answer only',
    body: CreateApiKeyRequestSchema,
    status: 201,
    response: CreateApiKeyResponseSchema,
    errors: [...SESSION_ERRORS, 'validation_failed'],
  })
  // The answer carries a secret (a new key or a session token): never stored by a cache.
  @Header('Cache-Control', 'no-store')
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<CreateApiKeyResponse> {
    return this.keys.create(principal.userId, parseWith(CreateApiKeyRequestSchema, body));
  }

  @Get(':id')
  @ExtensionAllowed()
  @ApiContract({ tag: 'API keys', summary: 'One key', response: ApiKeySchema, errors: [...SESSION_ERRORS, 'not_found'] })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ApiKey> {
    return this.keys.get(principal.userId, parseId(id));
  }

  @Patch(':id')
  @ApiContract({
    tag: 'API keys',
    summary: 'Rename a key or change its allowed addresses (null clears them)',
    body: UpdateApiKeyRequestSchema,
    response: ApiKeySchema,
    errors: [...SESSION_ERRORS, 'validation_failed', 'not_found'],
  })
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<ApiKey> {
    return this.keys.update(principal.userId, parseId(id), parseWith(UpdateApiKeyRequestSchema, body));
  }

  @Get(':id/usage')
  @ApiContract({
    tag: 'API keys',
    summary: 'Accepted and rejected uses per UTC day, oldest first, zero days included',
    query: UsageQuerySchema,
    response: UsageResponseSchema,
    errors: [...SESSION_ERRORS, 'validation_failed', 'not_found'],
  })
  usage(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: unknown): Promise<UsageResponse> {
    return this.keys.usage(principal.userId, parseId(id), parseWith(UsageQuerySchema, query, 'query'));
  }

  @Delete(':id')
  @ApiContract({ tag: 'API keys', summary: 'Revoke a key at once (again: same answer)', response: ApiKeySchema, errors: [...SESSION_ERRORS, 'not_found'] })
  revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ApiKey> {
    return this.keys.revoke(principal.userId, parseId(id));
  }

  @Post(':id/rotate')
  @ApiContract({
    tag: 'API keys',
    summary: 'Replace a key; the old one works until its grace end',
    body: RotateApiKeyRequestSchema,
    status: 201,
    response: RotateApiKeyResponseSchema,
    errors: [...SESSION_ERRORS, 'validation_failed', 'not_found', 'not_rotatable'],
  })
  // The answer carries a secret (a new key or a session token): never stored by a cache.
  @Header('Cache-Control', 'no-store')
  rotate(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<RotateApiKeyResponse> {
    return this.keys.rotate(principal.userId, parseId(id), parseWith(RotateApiKeyRequestSchema, body ?? {}));
  }
}
