import { type ApiKeyEnvironment, displayApiKey } from '@tradetally/contracts';
import type { Log, ReportingDescriptor, Result } from 'sarif';

/** One key found: where, and its display parts only (never the key itself). */
export interface Finding {
  path: string;
  line: number;
  column: number;
  prefix: string;
  last4: string;
  env: ApiKeyEnvironment;
  /** The commit that added it (`--git-history` only). */
  commit?: string;
}

/** The output formats of `--format`. */
export const FORMATS = ['text', 'json', 'sarif'] as const;

/** An output format. */
export type Format = (typeof FORMATS)[number];

/** The SARIF rule id of a found key (scanning.md). */
export const RULE_ID = 'tradetally-api-key';

/** Orders findings by path, then position, then commit: the same tree always prints the same way. */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return a.line - b.line || a.column - b.column || (a.commit ?? '').localeCompare(b.commit ?? '');
}

/** `path:line:column  prefix…last4  env`, plus the commit for history. */
export function formatText(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.path}:${f.line}:${f.column}  ${displayApiKey(f)}  ${f.env}${f.commit ? `  ${f.commit}` : ''}\n`).join('');
}

/** A JSON array of `{ path, line, column, prefix, last4, env, commit? }`. */
export function formatJson(findings: readonly Finding[]): string {
  const rows = findings.map(({ path, line, column, prefix, last4, env, commit }) => ({
    path,
    line,
    column,
    prefix,
    last4,
    env,
    ...(commit ? { commit } : {}),
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** A relative path as a URI reference (forward slashes, each segment percent-encoded). */
function toUri(path: string): string {
  if (path.startsWith('/')) return `file://${path.split('/').map(encodeURIComponent).join('/')}`;
  return path
    .split(/[\\/]/)
    .filter((segment) => segment !== '.')
    .map(encodeURIComponent)
    .join('/');
}

const RULE: ReportingDescriptor = {
  id: RULE_ID,
  name: 'TradeTallyApiKey',
  shortDescription: { text: 'TradeTally API key' },
  fullDescription: {
    text: 'A TradeTally API key (tt_live_… or tt_test_…, checksum verified) is committed. Anyone who can read it can use it.',
  },
  help: {
    text: 'Revoke the key in the TradeTally API key settings (or run tradetally-scan --report), create a new one, and load it from a secret store or an environment variable instead of the source.',
    markdown:
      'Revoke the key in the TradeTally API key settings (or run `tradetally-scan --report`), create a new one, and load it from a secret store or an environment variable instead of the source.',
  },
  defaultConfiguration: { level: 'error' },
  // GitHub code scanning ranks security alerts by this score (9.0 and above is "critical").
  properties: { tags: ['security', 'secret'], precision: 'very-high', 'security-severity': '9.0' },
};

/**
 * SARIF 2.1.0 for GitHub code scanning: one rule, live keys `error`, test keys `warning`. Written
 * as a typed literal (types from @types/sarif): a builder library would add API surface for what
 * is one small object; the test suite validates the result against the official JSON schema.
 */
export function formatSarif(findings: readonly Finding[], version: string): string {
  const results: Result[] = findings.map((f) => ({
    ruleId: RULE_ID,
    ruleIndex: 0,
    level: f.env === 'live' ? 'error' : 'warning',
    message: { text: `TradeTally ${f.env} API key ${displayApiKey(f)}${f.commit ? ` added in commit ${f.commit}` : ''}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: toUri(f.path) },
          region: { startLine: f.line, startColumn: f.column, endLine: f.line, endColumn: f.column + 46 },
        },
      },
    ],
    ...(f.commit ? { properties: { commit: f.commit } } : {}),
  }));
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'tradetally-scan', version, rules: [RULE] } },
        // Columns count characters (code points), as the text and JSON output do.
        columnKind: 'unicodeCodePoints',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
