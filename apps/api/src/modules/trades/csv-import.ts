import { CreateTradeRequestSchema, IMPORT_CSV_COLUMNS, MAX_IMPORT_ROWS } from '@tradetally/contracts';
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { ApiError } from '../../common/api-error.js';

/** One import row: its 1-based line in the file (header = line 1) and the trade, or why it failed. */
export type ImportRow =
  { line: number; trade: z.output<typeof CreateTradeRequestSchema>; error?: undefined } | { line: number; trade?: undefined; error: string };

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

/** Line breaks in a record's raw text (CRLF, LF or a lone CR each count once). */
function countLineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

type CsvEvent = { kind: 'record'; record: string[]; raw: string } | { kind: 'error'; message: string };

export function parseCsvImport(text: string): ImportRow[] {
  // Line numbers are counted here from each record's raw text: csv-parse's own count drifts on
  // CRLF inside quoted fields. Empty lines are kept as records so that they are counted too.
  const events: CsvEvent[] = [];
  parse(text, {
    bom: true,
    raw: true,
    relax_column_count: true,
    skip_records_with_error: true,
    // With `raw`, csv-parse hands each record over as { record, raw }.
    on_record: (value: string[] | { record: string[]; raw: string }, context: { raw?: string }) => {
      if (Array.isArray(value)) events.push({ kind: 'record', record: value, raw: context.raw ?? '' });
      else events.push({ kind: 'record', record: value.record, raw: value.raw });
      return null;
    },
    on_skip: (error) => {
      const reason =
        error?.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'a quote is not closed; the rest of the file could not be read'
          : `unreadable row (${error?.message ?? 'bad quoting'})`;
      events.push({ kind: 'error', message: reason });
    },
  });

  const rows: ImportRow[] = [];
  let header: string[] | null = null;
  let line = 1;
  let lastErrorLine = 0;
  let dataRows = 0;
  for (const event of events) {
    if (event.kind === 'error') {
      if (line !== lastErrorLine) rows.push({ line, error: event.message });
      lastErrorLine = line;
      continue;
    }
    const start = line;
    line += countLineBreaks(event.raw);
    const { record } = event;
    if (record.length === 1 && record[0]?.trim() === '') continue; // an empty line
    if (header === null) {
      header = checkHeader(record);
      continue;
    }
    if (++dataRows > MAX_IMPORT_ROWS) throw new ApiError('validation_failed', `An import takes at most ${MAX_IMPORT_ROWS} rows.`);
    // Trailing optional cells may be left out; extra cells are a mistake worth reporting.
    if (record.length > header.length || record.length < REQUIRED.length) {
      rows.push({ line: start, error: `expected ${REQUIRED.length} to ${header.length} fields, found ${record.length}` });
      continue;
    }
    const value: Record<string, unknown> = {};
    record.forEach((raw, i) => {
      const name = header?.[i];
      const cell = raw.trim();
      if (!name || cell === '') return; // an empty optional cell is absent; an empty required one fails validation
      value[name] = NUMERIC.has(name) && NUMBER_TEXT.test(cell) ? Number(cell) : cell;
    });
    rows.push(validateRow(start, value));
  }
  if (header === null) throw new ApiError('validation_failed', 'The CSV file is empty.');
  return rows;
}

/** The header's column names; a bad header refuses the whole file. */
function checkHeader(record: string[]): string[] {
  const header = record.map((name) => name.trim());
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
  return header;
}
