import { Controller, Param, Req } from '@nestjs/common';
import {
  CreateTradeRequestSchema,
  type ImportResult,
  ImportResultSchema,
  ImportTradesJsonSchema,
  type ListTradesQuery,
  ListTradesQuerySchema,
  type Page,
  type Trade,
  TradePageSchema,
  TradeSchema,
  UpdateTradeRequestSchema,
} from '@tradetally/contracts';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ApiError } from '../../common/api-error.js';
import { parseId } from '../../common/validation.js';
import { MIB, contentTypeIs } from '../../http/bodies.js';
import { Input, Route } from '../../http/route.js';
import { CurrentPrincipal, type Principal } from '../auth/access.decorator.js';
import { parseCsvImport, validateRow } from './csv-import.js';
import { TradesService } from './trades.service.js';

/** The journal: what API keys unlock. `read` keys may GET; `read_write` keys may do everything. */
@Controller('v1/trades')
export class TradesController {
  constructor(private readonly trades: TradesService) {}

  @Route({
    method: 'GET',
    access: { key: 'read' },
    tag: 'Journal',
    summary: 'Trades, newest executedAt first',
    query: ListTradesQuerySchema,
    response: TradePageSchema,
  })
  list(@CurrentPrincipal() principal: Principal, @Input('query') query: ListTradesQuery): Promise<Page<Trade>> {
    return this.trades.list(principal.userId, query);
  }

  @Route({
    method: 'POST',
    path: 'import',
    access: { key: 'read_write' },
    tag: 'Journal',
    summary: 'Import trades from CSV (text/csv) or JSON; bad rows are reported by line, good rows land',
    body: ImportTradesJsonSchema,
    bodyOptions: { text: true, limit: 10 * MIB },
    extraBodies: {
      'text/csv': {
        type: 'string',
        example: 'symbol,side,quantity,price,executedAt,fees,notes,externalId\nAAPL,buy,10,187.5,2026-11-02T14:30:00Z,1,,broker-1',
      },
    },
    response: ImportResultSchema,
    errors: ['unsupported_media_type'],
  })
  import(
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Input() body: z.output<typeof ImportTradesJsonSchema> | string | undefined,
  ): Promise<ImportResult> {
    if (contentTypeIs(req, 'text/csv') || contentTypeIs(req, 'text/plain')) {
      return this.trades.import(principal.userId, parseCsvImport(typeof body === 'string' ? body : ''));
    }
    if (typeof body === 'object' && contentTypeIs(req, 'application/json')) {
      return this.trades.import(
        principal.userId,
        body.trades.map((value, index) => validateRow(index + 1, value)),
      );
    }
    throw new ApiError('unsupported_media_type', 'Send text/csv or application/json.');
  }

  @Route({ method: 'GET', path: ':id', access: { key: 'read' }, tag: 'Journal', summary: 'One trade', response: TradeSchema, errors: ['not_found'] })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<Trade> {
    return this.trades.get(principal.userId, parseId(id));
  }

  @Route({
    method: 'POST',
    access: { key: 'read_write' },
    tag: 'Journal',
    summary: 'Record a trade',
    body: CreateTradeRequestSchema,
    status: 201,
    response: TradeSchema,
    errors: ['external_id_taken'],
  })
  create(@CurrentPrincipal() principal: Principal, @Input() body: z.output<typeof CreateTradeRequestSchema>): Promise<Trade> {
    return this.trades.create(principal.userId, body);
  }

  @Route({
    method: 'PATCH',
    path: ':id',
    access: { key: 'read_write' },
    tag: 'Journal',
    summary: 'Change a trade',
    body: UpdateTradeRequestSchema,
    response: TradeSchema,
    errors: ['not_found', 'external_id_taken'],
  })
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Input() body: z.output<typeof UpdateTradeRequestSchema>): Promise<Trade> {
    return this.trades.update(principal.userId, parseId(id), body);
  }

  @Route({ method: 'DELETE', path: ':id', access: { key: 'read_write' }, tag: 'Journal', summary: 'Delete a trade', status: 204, errors: ['not_found'] })
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.trades.remove(principal.userId, parseId(id));
  }
}
