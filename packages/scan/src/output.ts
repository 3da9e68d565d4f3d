import { type ApiKeyEnvironment, displayApiKey } from '@tradetally/contracts';
import type { Log, ReportingDescriptor, Result } from 'sarif';

/** Why a finding is not counted (SARIF's `suppression`): an allow marker on its line, or a baseline entry. */
export interface Suppression {
  kind: 'inSource' | 'external';
  justification: string;
}

/** One key found: where, and its display parts only (never the key itself). */
export interface Finding {
  /** As output shows it: as given, or relative to the current folder. */
  path: string;
  /** Relative to the scanned root, with forward slashes: what a baseline entry names. */
  fromRoot: string;
  line: number;
  column: number;
  prefix: string;
  last4: string;
  env: ApiKeyEnvironment;
  /** SHA-256 hex of the key: matched against baselines, never printed in text or JSON. */
  fingerprint: string;
  /** The commit that added it (`--git-history` only). */
  commit?: string;
  suppression?: Suppression;
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

/** ANSI styles for a terminal; every one a no-op without colour. */
export interface Styles {
  path: (text: string) => string;
  place: (text: string) => string;
  key: (text: string) => string;
  live: (text: string) => string;
  test: (text: string) => string;
  dim: (text: string) => string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

/** The styles: ANSI colours when `colour`, else the text as it is. */
export function stylesFor(colour: boolean): Styles {
  if (!colour) return { path: plain, place: plain, key: plain, live: plain, test: plain, dim: plain };
  return { path: sgr(35, 39), place: sgr(32, 39), key: sgr(1, 22), live: sgr(31, 39), test: sgr(33, 39), dim: sgr(2, 22) };
}

/**
 * Whether to colour a stream: always with FORCE_COLOR (other than 0 or false; it wins over NO_COLOR,
 * as in Node.js itself), never with NO_COLOR set and not empty (no-color.org), else only on a
 * terminal that is not `dumb`.
 */
export function wantsColour(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  return isTTY && env.TERM !== 'dumb';
}

/** `path:line:column  prefix…last4  env`, plus the commit for history. */
export function formatText(findings: readonly Finding[], styles: Styles = stylesFor(false)): string {
  return findings
    .map((f) => {
      const env = f.env === 'live' ? styles.live(f.env) : styles.test(f.env);
      return `${styles.path(f.path)}:${styles.place(`${f.line}:${f.column}`)}  ${styles.key(displayApiKey(f))}  ${env}${f.commit ? `  ${styles.dim(f.commit)}` : ''}\n`;
    })
    .join('');
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
 * SARIF 2.1.0 for GitHub code scanning: one rule, live keys `error`, test keys `warning`, suppressed
 * findings with their `suppressions` (`inSource` for an allow marker, `external` for a baseline). Written
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
    // Code scanning shows a suppressed result as closed, with the reason: it stays on record.
    ...(f.suppression ? { suppressions: [{ kind: f.suppression.kind, status: 'accepted' as const, justification: f.suppression.justification }] } : {}),
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
