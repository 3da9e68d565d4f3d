import { describe, expect, it } from 'vitest';
import { ApiError } from '../../common/api-error.js';
import { parseCsvImport } from './csv-import.js';

const HEAD = 'symbol,side,quantity,price,executedAt,fees,notes,externalId';

describe('parseCsvImport', () => {
  it('numbers rows by their first line, counting CRLF inside quotes once and empty lines too', () => {
    const csv = `${HEAD}\r\nAAPL,buy,1,1,2026-11-01T00:00:00Z\r\n\r\nMSFT,buy,1,1,2026-11-01T00:00:00Z,0,"a\r\nb",x\r\nbad,buy,-1,1,2026-11-01T00:00:00Z\r\n`;
    const rows = parseCsvImport(csv);
    expect(rows.map((r) => [r.line, r.error === undefined])).toEqual([
      [2, true],
      [4, true],
      [6, false],
    ]);
    expect(rows[1]?.trade?.notes).toBe('a\r\nb');
  });

  it('reads numbers, leaves empty optional cells out and strips a BOM', () => {
    const [row] = parseCsvImport(`\uFEFF${HEAD}\nAAPL,sell,2.5,1e2,2026-11-01T00:00:00Z,,,`);
    expect(row?.trade).toEqual({ symbol: 'AAPL', side: 'sell', quantity: 2.5, price: 100, fees: 0, executedAt: '2026-11-01T00:00:00Z' });
  });

  it('refuses a header with an unknown, missing or repeated column', () => {
    for (const header of ['symbol,side,quantity,price,executedAt,colour', 'symbol,side,quantity', 'symbol,side,quantity,price,executedAt,fees,fees']) {
      expect(() => parseCsvImport(`${header}\n`)).toThrow(ApiError);
    }
    expect(() => parseCsvImport('')).toThrow(/empty/);
  });

  it('reports too many cells and an unclosed quote at their lines', () => {
    const rows = parseCsvImport(`${HEAD}\nA,buy,1,1,2026-11-01T00:00:00Z,0,n,e,extra\nB,buy,1,1,2026-11-01T00:00:00Z\nC,"buy,1\n`);
    expect(rows.map((r) => [r.line, r.error?.slice(0, 12)])).toEqual([
      [2, 'expected 5 t'],
      [3, undefined],
      [4, 'a quote is n'],
    ]);
  });
});
