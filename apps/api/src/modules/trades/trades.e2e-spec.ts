import type { ImportResult, Page, Trade } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, trade, useTestApi } from '../../testing/harness.js';

describe.each(DATABASE_KINDS)('the journal on %s', (kind) => {
  const suite = useTestApi(kind);

  async function trader() {
    const { token } = await suite.api.signUp();
    const writer = await suite.api.createKey(token, { scope: 'read_write' });
    const reader = await suite.api.createKey(token, { scope: 'read' });
    return { token, writer: writer.secret, reader: reader.secret };
  }

  describe('trades CRUD', () => {
    it('creates, reads, changes and deletes a trade with a read_write key', async () => {
      const { writer } = await trader();
      const created = await suite.api.request<Trade>('POST', '/v1/trades', { token: writer, body: trade({ notes: 'breakout', externalId: 'ib-1' }) });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        symbol: 'AAPL',
        side: 'buy',
        quantity: 10,
        price: 187.5,
        fees: 0,
        notes: 'breakout',
        externalId: 'ib-1',
        executedAt: '2026-11-02T14:30:00.000Z',
      });
      const id = created.body.id;
      expect((await suite.api.request<Trade>('GET', `/v1/trades/${id}`, { token: writer })).body).toEqual(created.body);
      const changed = await suite.api.request<Trade>('PATCH', `/v1/trades/${id}`, { token: writer, body: { price: 190, notes: null } });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ price: 190, notes: null, quantity: 10 });
      expect((await suite.api.request<Trade>('GET', `/v1/trades/${id}`, { token: writer })).body.price).toBe(190);
      expect((await suite.api.request('DELETE', `/v1/trades/${id}`, { token: writer })).status).toBe(204);
      expect((await suite.api.request('GET', `/v1/trades/${id}`, { token: writer })).status).toBe(404);
    });

    it('lets a read key GET and answers 403 insufficient_scope to its writes, changing nothing', async () => {
      const { writer, reader } = await trader();
      const created = await suite.api.request<Trade>('POST', '/v1/trades', { token: writer, body: trade() });
      expect((await suite.api.request('GET', `/v1/trades/${created.body.id}`, { token: reader })).status).toBe(200);
      for (const [method, path, body] of [
        ['POST', '/v1/trades', trade()],
        ['PATCH', `/v1/trades/${created.body.id}`, { price: 1 }],
        ['DELETE', `/v1/trades/${created.body.id}`, undefined],
        ['POST', '/v1/trades/import', { trades: [trade()] }],
      ] as const) {
        const answer = await suite.api.request(method, path, { token: reader, body });
        expect(answer.status, `${method} ${path}`).toBe(403);
        expect(answer.body.code).toBe('insufficient_scope');
      }
      const list = await suite.api.request<Page<Trade>>('GET', '/v1/trades', { token: reader });
      expect(list.body.data).toHaveLength(1);
      expect(list.body.data[0]?.price).toBe(187.5);
    });

    it('answers 404 for another user’s trade and never lists it', async () => {
      const alice = await trader();
      const bob = await trader();
      const created = await suite.api.request<Trade>('POST', '/v1/trades', { token: alice.writer, body: trade() });
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        const answer = await suite.api.request(method, `/v1/trades/${created.body.id}`, {
          token: bob.writer,
          body: method === 'PATCH' ? { price: 1 } : undefined,
        });
        expect(answer.status).toBe(404);
      }
      expect((await suite.api.request<Page<Trade>>('GET', '/v1/trades', { token: bob.reader })).body.data).toEqual([]);
    });

    it('refuses invalid trades with field errors and unknown fields', async () => {
      const { writer } = await trader();
      for (const body of [trade({ side: 'short' }), trade({ quantity: 0 }), trade({ executedAt: 'yesterday' }), trade({ colour: 'red' }), {}]) {
        const answer = await suite.api.request('POST', '/v1/trades', { token: writer, body });
        expect(answer.status).toBe(400);
        expect(answer.body.code).toBe('validation_failed');
      }
      expect((await suite.api.request('PATCH', '/v1/trades/7c1b0a9e-1111-4111-8111-111111111111', { token: writer, body: {} })).status).toBe(400);
    });

    it('answers 409 external_id_taken for a second trade with the same externalId', async () => {
      const { writer } = await trader();
      expect((await suite.api.request('POST', '/v1/trades', { token: writer, body: trade({ externalId: 'dup' }) })).status).toBe(201);
      const again = await suite.api.request('POST', '/v1/trades', { token: writer, body: trade({ externalId: 'dup' }) });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('external_id_taken');
    });
  });

  describe('GET /v1/trades', () => {
    it('lists newest executedAt first, filters by symbol and time, and pages with a cursor', async () => {
      const { writer, reader } = await trader();
      for (let day = 1; day <= 6; day++) {
        await suite.api.request('POST', '/v1/trades', {
          token: writer,
          body: trade({ symbol: day % 2 ? 'AAPL' : 'TSLA', executedAt: `2026-11-0${day}T10:00:00Z` }),
        });
      }
      const all = await suite.api.request<Page<Trade>>('GET', '/v1/trades', { token: reader });
      expect(all.body.data.map((t) => t.executedAt.slice(0, 10))).toEqual(['2026-11-06', '2026-11-05', '2026-11-04', '2026-11-03', '2026-11-02', '2026-11-01']);
      const tsla = await suite.api.request<Page<Trade>>('GET', '/v1/trades?symbol=TSLA', { token: reader });
      expect(tsla.body.data.map((t) => t.symbol)).toEqual(['TSLA', 'TSLA', 'TSLA']);
      const window = await suite.api.request<Page<Trade>>('GET', '/v1/trades?from=2026-11-02T00:00:00Z&to=2026-11-04T10:00:00Z', { token: reader });
      expect(window.body.data.map((t) => t.executedAt.slice(0, 10))).toEqual(['2026-11-03', '2026-11-02']);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof suite.api.request<Page<Trade>>>> = await suite.api.request<Page<Trade>>(
          'GET',
          `/v1/trades?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
          { token: reader },
        );
        seen.push(...page.body.data.map((t) => t.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.body.data.map((t) => t.id));
    });

    it('answers 400 for a bad limit, date or cursor', async () => {
      const { reader } = await trader();
      for (const query of ['limit=0', 'limit=abc', 'from=monday', 'cursor=%%%', 'sort=asc']) {
        expect((await suite.api.request('GET', `/v1/trades?${query}`, { token: reader })).status, query).toBe(400);
      }
    });
  });

  describe('POST /v1/trades/import', () => {
    it('imports CSV with a BOM, CRLF and quoted fields, reports bad rows by line and lands the good ones', async () => {
      const { writer, reader } = await trader();
      const csv =
        '\uFEFFsymbol,side,quantity,price,executedAt,fees,notes,externalId\r\n' +
        'AAPL,buy,10,187.5,2026-11-02T14:30:00Z,1,"first, with comma",ib-1\r\n' +
        'TSLA,sell,abc,250,2026-11-02T15:00:00Z,,,ib-2\r\n' +
        'MSFT,buy,5,410,2026-11-03T09:30:00Z,0,"two\r\nlines ""quoted""",ib-3\r\n' +
        'NVDA,hold,1,1,2026-11-03T10:00:00Z,,,ib-4\r\n' +
        'AMD,buy,3,150,2026-11-03T11:00:00Z\r\n';
      const answer = await suite.api.request<ImportResult>('POST', '/v1/trades/import', { token: writer, raw: csv, contentType: 'text/csv' });
      expect(answer.status).toBe(200);
      expect(answer.body.imported).toBe(3);
      expect(answer.body.duplicates).toBe(0);
      expect(answer.body.errors.map((e) => e.line)).toEqual([3, 6]);
      expect(answer.body.errors[0]?.message).toContain('quantity');
      expect(answer.body.errors[1]?.message).toContain('side');
      const trades = (await suite.api.request<Page<Trade>>('GET', '/v1/trades', { token: reader })).body.data;
      expect(trades.map((t) => t.symbol).sort()).toEqual(['AAPL', 'AMD', 'MSFT']);
      expect(trades.find((t) => t.symbol === 'MSFT')?.notes).toBe('two\r\nlines "quoted"');
      expect(trades.find((t) => t.symbol === 'AAPL')?.notes).toBe('first, with comma');
    });

    it('never imports an externalId twice: across imports and within one file', async () => {
      const { writer, reader } = await trader();
      const csv =
        'symbol,side,quantity,price,executedAt,externalId\nAAPL,buy,1,1,2026-11-01T00:00:00Z,a\nAAPL,buy,1,1,2026-11-01T00:00:00Z,b\nAAPL,buy,1,1,2026-11-01T00:00:00Z,a\n';
      const first = await suite.api.request<ImportResult>('POST', '/v1/trades/import', { token: writer, raw: csv, contentType: 'text/csv' });
      expect(first.body).toEqual({ imported: 2, duplicates: 1, errors: [] });
      const second = await suite.api.request<ImportResult>('POST', '/v1/trades/import', { token: writer, raw: csv, contentType: 'text/csv' });
      expect(second.body).toEqual({ imported: 0, duplicates: 3, errors: [] });
      expect((await suite.api.request<Page<Trade>>('GET', '/v1/trades', { token: reader })).body.data).toHaveLength(2);
    });

    it('imports JSON rows, numbering bad rows from 1', async () => {
      const { writer } = await trader();
      const answer = await suite.api.request<ImportResult>('POST', '/v1/trades/import', {
        token: writer,
        body: { trades: [trade({ externalId: 'j1' }), trade({ price: -5 }), trade({ externalId: 'j3' })] },
      });
      expect(answer.body.imported).toBe(2);
      expect(answer.body.errors).toEqual([{ line: 2, message: expect.stringContaining('price') }]);
    });

    it('refuses a CSV with an unknown or missing column (400) and imports nothing', async () => {
      const { writer, reader } = await trader();
      for (const csv of ['symbol,side,quantity,price,executedAt,colour\nAAPL,buy,1,1,2026-11-01T00:00:00Z,red\n', 'symbol,side,quantity\nAAPL,buy,1\n', '']) {
        const answer = await suite.api.request('POST', '/v1/trades/import', { token: writer, raw: csv, contentType: 'text/csv' });
        expect(answer.status).toBe(400);
        expect(answer.body.code).toBe('validation_failed');
      }
      expect((await suite.api.request<Page<Trade>>('GET', '/v1/trades', { token: reader })).body.data).toEqual([]);
    });

    it('reports an unclosed quote and keeps the rows before it', async () => {
      const { writer } = await trader();
      const csv = 'symbol,side,quantity,price,executedAt\nAAPL,buy,1,1,2026-11-01T00:00:00Z\nTSLA,"buy,1,1,2026-11-01T00:00:00Z\n';
      const answer = await suite.api.request<ImportResult>('POST', '/v1/trades/import', { token: writer, raw: csv, contentType: 'text/csv' });
      expect(answer.body.imported).toBe(1);
      expect(answer.body.errors).toEqual([{ line: 3, message: expect.stringContaining('quote') }]);
    });

    it('answers 415 for other media types and 413 beyond the body limit', async () => {
      const { writer } = await trader();
      const xml = await suite.api.request('POST', '/v1/trades/import', { token: writer, raw: '<trades/>', contentType: 'application/xml' });
      expect(xml.status).toBe(415);
      expect(xml.body.code).toBe('unsupported_media_type');
      const huge = await suite.api.request('POST', '/v1/trades/import', { token: writer, raw: 'x'.repeat(11 * 1024 * 1024), contentType: 'text/csv' });
      expect(huge.status).toBe(413);
      expect(huge.body.code).toBe('payload_too_large');
    });
  });
});
