import { CreateTradeRequestSchema, IMPORT_CSV_COLUMNS, MAX_IMPORT_ROWS } from '@tradetally/contracts';
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { ApiError } from '../../common/api-error.js';

/** One import row: its 1-based line in the file (header = line 1) and the trade, or why it failed. */
export type ImportRow =
  | { line: number; trade: z.output<typeof CreateTradeRequestSchema>; error?: undefined }
  | { line: number; trade?: undefined; error: string };

const REQUIRED = IMPORT_CSV_COLUMNS.slice(0, 5);
const NUMERIC = new Set(['quantity', 'price', 'fees']);
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A zod failure as one line of text for an import error. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

/** Validates one row object with the same schema as POST /v1/trades. */
export function validateRow(line: number, value: unknown): ImportRow {
  const result = CreateTradeRequestSchema.safeParse(value);
  return result.success ? { line, trade: result.data } : { line, error: describeIssues(result.error) };
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * Reads a CSV import with csv-parse (quoted fields, embedded newlines, BOM, CRLF). A bad header
 * refuses the whole file (400); a bad row becomes an error at its line and the others still land.
 */
export function parseCsvImport(text: string): ImportRow[] {
  const rows: ImportRow[] = [];
  let lastEnd = 0;
  const records = parse(text, {
    bom: true,
    info: true,
    raw: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      const reason = error?.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quote is not closed; the rest of the file could not be read' : (error?.message ?? 'unreadable row');
      rows.push({ line: lastEnd + 1, error: reason });
    },
  }) as unknown as Array<{ record: string[]; info: { lines: number; raw?: string } }>;

  const [head, ...body] = records;
  if (!head) throw new ApiError('validation_failed', 'The CSV file is empty.');
  const header = head.record.map((name) => name.trim());
  const unknown = header.filter((name) => !(IMPORT_CSV_COLUMNS as readonly string[]).includes(name));
  const missing = REQUIRED.filter((name) => !header.includes(name));
  const repeated = header.filter((name, i) => header.indexOf(name) !== i);
  if (unknown.length || missing.length || repeated.length) {
    const errors = [
      ...unknown.map((name) => ({ path: `header.${name}`, message: 'unknown column' })),
      ...missing.map((name) => ({ path: `header.${name}`, message: 'required column is missing' })),
      ...repeated.map((name) => ({ path: `header.${name}`, message: 'column appears twice' })),
    ];
    throw new ApiError('validation_failed', `The CSV header must be ${IMPORT_CSV_COLUMNS.join(',')} (the last three optional).`, errors);
  }
  if (body.length > MAX_IMPORT_ROWS) throw new ApiError('validation_failed', `An import takes at most ${MAX_IMPORT_ROWS} rows.`);

  for (const { record, info } of body) {
    const raw = (info.raw ?? '').replace(/\r?\n$/, '');
    const line = info.lines - countNewlines(raw);
    lastEnd = info.lines;
    if (record.length !== header.length) {
      rows.push({ line, error: `expected ${header.length} fields, found ${record.length}` });
      continue;
    }
    const value: Record<string, unknown> = {};
    header.forEach((name, i) => {
      const cell = (record[i] ?? '').trim();
      if (cell === '') return; // an empty optional cell is absent; an empty required one fails validation
      value[name] = NUMERIC.has(name) && NUMBER_TEXT.test(cell) ? Number(cell) : cell;
    });
    rows.push(validateRow(line, value));
  }
  return rows.sort((a, b) => a.line - b.line);
}
