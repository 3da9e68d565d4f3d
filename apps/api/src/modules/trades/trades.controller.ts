import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import {
  CreateTradeRequestSchema,
  type ImportResult,
  ImportResultSchema,
  ImportTradesJsonSchema,
  ListTradesQuerySchema,
  type Page,
  type Trade,
  TradePageSchema,
  TradeSchema,
  UpdateTradeRequestSchema,
} from '@tradetally/contracts';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../common/api-error.js';
import { contentTypeIs } from '../../common/http-pipeline.js';
import { ApiContract } from '../../common/openapi.js';
import { parseId, parseWith } from '../../common/validation.js';
import { Access, CurrentPrincipal, type Principal } from '../auth/access.decorator.js';
import { parseCsvImport, validateRow } from './csv-import.js';
import { TradesService } from './trades.service.js';

const READ_ERRORS = ['unauthenticated', 'invalid_api_key', 'api_key_expired', 'api_key_revoked', 'rate_limited'] as const;
const WRITE_ERRORS = [...READ_ERRORS, 'insufficient_scope', 'validation_failed'] as const;

/** The journal: what API keys unlock. `read` keys may GET; `read_write` keys may do everything. */
@Controller('v1/trades')
export class TradesController {
  constructor(private readonly trades: TradesService) {}

  @Get()
  @Access('read')
  @ApiContract({
    tag: 'Journal',
    summary: 'Trades, newest executedAt first',
    query: ListTradesQuerySchema,
    response: TradePageSchema,
    errors: [...READ_ERRORS, 'validation_failed'],
  })
  list(@CurrentPrincipal() principal: Principal, @Query() query: unknown): Promise<Page<Trade>> {
    return this.trades.list(principal.userId, parseWith(ListTradesQuerySchema, query, 'query'));
  }

  @Post('import')
  @HttpCode(200)
  @Access('read_write')
  @ApiContract({
    tag: 'Journal',
    summary: 'Import trades from CSV (text/csv) or JSON; bad rows are reported by line, good rows land',
    body: ImportTradesJsonSchema,
    extraBodies: {
      'text/csv': {
        type: 'string',
        example: 'symbol,side,quantity,price,executedAt,fees,notes,externalId\nAAPL,buy,10,187.5,2026-11-02T14:30:00Z,1,,broker-1',
      },
    },
    response: ImportResultSchema,
    errors: [...WRITE_ERRORS, 'payload_too_large', 'unsupported_media_type'],
  })
  import(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest): Promise<ImportResult> {
    if (contentTypeIs(req, 'text/csv') || contentTypeIs(req, 'text/plain')) {
      return this.trades.import(principal.userId, parseCsvImport(typeof req.body === 'string' ? req.body : ''));
    }
    if (contentTypeIs(req, 'application/json')) {
      const { trades } = parseWith(ImportTradesJsonSchema, req.body);
      return this.trades.import(
        principal.userId,
        trades.map((value, index) => validateRow(index + 1, value)),
      );
    }
    throw new ApiError('unsupported_media_type', 'Send text/csv or application/json.');
  }

  @Get(':id')
  @Access('read')
  @ApiContract({ tag: 'Journal', summary: 'One trade', response: TradeSchema, errors: [...READ_ERRORS, 'not_found'] })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<Trade> {
    return this.trades.get(principal.userId, parseId(id));
  }

  @Post()
  @Access('read_write')
  @ApiContract({
    tag: 'Journal',
    summary: 'Record a trade',
    body: CreateTradeRequestSchema,
    status: 201,
    response: TradeSchema,
    errors: [...WRITE_ERRORS, 'external_id_taken'],
  })
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<Trade> {
    return this.trades.create(principal.userId, parseWith(CreateTradeRequestSchema, body));
  }

  @Patch(':id')
  @Access('read_write')
  @ApiContract({
    tag: 'Journal',
    summary: 'Change a trade',
    body: UpdateTradeRequestSchema,
    response: TradeSchema,
    errors: [...WRITE_ERRORS, 'not_found', 'external_id_taken'],
  })
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<Trade> {
    return this.trades.update(principal.userId, parseId(id), parseWith(UpdateTradeRequestSchema, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @Access('read_write')
  @ApiContract({ tag: 'Journal', summary: 'Delete a trade', status: 204, errors: [...WRITE_ERRORS, 'not_found'] })
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.trades.remove(principal.userId, parseId(id));
  }
}
