import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  type ApiKey,
  ApiKeyPageSchema,
  ApiKeySchema,
  CreateApiKeyRequestSchema,
  type CreateApiKeyResponse,
  CreateApiKeyResponseSchema,
  ListApiKeysQuerySchema,
  type Page,
  RotateApiKeyRequestSchema,
  type RotateApiKeyResponse,
  RotateApiKeyResponseSchema,
} from '@tradetally/contracts';
import type { Response } from 'express';
import { ApiContract } from '../../common/openapi.js';
import { parseId, parseWith } from '../../common/validation.js';
import { Access, CurrentPrincipal, ExtensionAllowed, type Principal } from '../auth/access.decorator.js';
import { ApiKeysService } from './api-keys.service.js';

const SESSION_ERRORS = ['unauthenticated', 'session_required'] as const;

/** Key management: sessions only, so a leaked key can never mint or rotate keys. */
@Controller('v1/api-keys')
@Access('session')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ExtensionAllowed()
  @ApiContract({ tag: 'API keys', summary: 'List your keys, newest first', query: ListApiKeysQuerySchema, response: ApiKeyPageSchema, errors: [...SESSION_ERRORS, 'validation_failed'] })
  list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<Page<ApiKey>> {
    return this.keys.list(principal.userId, parseWith(ListApiKeysQuerySchema, query, 'query'));
  }

  @Post()
  @ApiContract({ tag: 'API keys', summary: 'Create a key; the secret is in this answer only', body: CreateApiKeyRequestSchema, status: 201, response: CreateApiKeyResponseSchema, errors: [...SESSION_ERRORS, 'validation_failed'] })
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<CreateApiKeyResponse> {
    res.setHeader('Cache-Control', 'no-store');
    return this.keys.create(principal.userId, parseWith(CreateApiKeyRequestSchema, body));
  }

  @Get(':id')
  @ExtensionAllowed()
  @ApiContract({ tag: 'API keys', summary: 'One key', response: ApiKeySchema, errors: [...SESSION_ERRORS, 'not_found'] })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ApiKey> {
    return this.keys.get(principal.userId, parseId(id));
  }

  @Delete(':id')
  @ApiContract({ tag: 'API keys', summary: 'Revoke a key at once (again: same answer)', response: ApiKeySchema, errors: [...SESSION_ERRORS, 'not_found'] })
  revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ApiKey> {
    return this.keys.revoke(principal.userId, parseId(id));
  }

  @Post(':id/rotate')
  @ApiContract({ tag: 'API keys', summary: 'Replace a key; the old one works until its grace end', body: RotateApiKeyRequestSchema, status: 201, response: RotateApiKeyResponseSchema, errors: [...SESSION_ERRORS, 'validation_failed', 'not_found', 'not_rotatable'] })
  rotate(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<RotateApiKeyResponse> {
    res.setHeader('Cache-Control', 'no-store');
    return this.keys.rotate(principal.userId, parseId(id), parseWith(RotateApiKeyRequestSchema, body ?? {}));
  }
}
