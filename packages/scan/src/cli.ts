#!/usr/bin/env node
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { redactApiKeys } from '@tradetally/contracts';
import ignore from 'ignore';
import { type Baseline, DEFAULT_BASELINE, applyBaseline, baselineText, readBaseline, writeBaseline } from './baseline.js';
import { type ScanConfig, SettingsError, parseSize, readConfig } from './config.js';
import { GitError, topLevel } from './git.js';
import { FORMATS, type Finding, type Format, formatJson, formatSarif, formatText, stylesFor, wantsColour } from './output.js';
import { ProgressLine } from './progress.js';
import { DEFAULT_API_URL, ReportAddressError, reportKeys, reportTarget } from './report.js';
import { type ScanProgress, type ScanResult, type ScanTarget, scan } from './scan.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const USAGE = `Usage: tradetally-scan [options] [path…]      scan files and folders (default .)
       tradetally-scan [options] -               scan standard input
       tradetally-scan [options] --staged        scan the lines added by the staged changes
       tradetally-scan [options] --git-history [range…]   scan every line added in git history
                                                  (default: all branches and tags, merges included)

Finds TradeTally API keys (tt_live_…, tt_test_…; checksum checked) and prints where they are as
prefix…last4, never the key. In a git repository it scans what git lists (tracked files, and
untracked ones no .gitignore names); elsewhere it skips .gitignore'd files. Skips node_modules and
binary files. A line holding tradetally-scan:allow is not reported.

Options:
  -f, --format <text|json|sarif>  output format (default text)
      --max-file-size <size>      skip larger files and blobs (default 10MiB; units k, M, G)
      --ignore-test-keys          report only tt_live_ keys (--no-ignore-test-keys undoes the config's)
      --baseline <file>           findings to accept (default ${DEFAULT_BASELINE} when present)
      --write-baseline <file>     write the current findings to a baseline file
      --report                    send each live key found to POST /v1/leaks, which revokes it
                                  (https://, or http:// to this machine only)
      --api <url>                 the TradeTally API for --report
                                  (default $TRADETALLY_API_URL or ${DEFAULT_API_URL})
      --concurrency <n>           files read at once (default 4)
  -q, --quiet                     no summary or progress on stderr
  -h, --help                      this help
  -V, --version                   the version

Settings may also come from .tradetally-scan.toml at the scanned root (exclude, max-file-size,
ignore-test-keys, baseline); flags win.

Exit status: 0 nothing found (or all accepted), 1 keys found, 2 usage or I/O error.
`;

/** A bad command line: the message and the usage go to stderr, exit status 2. */
class UsageError extends Error {}

/** Everything goes out through here, scrubbed: even a file name cannot carry a whole key out. */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((done) => {
    if (stream.write(redactApiKeys(text))) done();
    else stream.once('drain', done);
  });
}

const say = (text: string) => write(process.stderr, `tradetally-scan: ${text}\n`);

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file or folder';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    return error.message;
  }
  return String(error);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

const plural = (count: number, word: string, words = `${word}s`) => `${count} ${count === 1 ? word : words}`;

/** `10MiB`, `512KiB` or a number of bytes: a size as people write it on the command line. */
function sizeText(bytes: number): string {
  if (bytes > 0 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}MiB`;
  if (bytes > 0 && bytes % 1024 === 0) return `${bytes / 1024}KiB`;
  return `${bytes} bytes`;
}

const OPTIONS = {
  format: { type: 'string', short: 'f', default: 'text' },
  'max-file-size': { type: 'string' },
  'ignore-test-keys': { type: 'boolean' },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  report: { type: 'boolean', default: false },
  api: { type: 'string' },
  staged: { type: 'boolean', default: false },
  'git-history': { type: 'boolean', default: false },
  concurrency: { type: 'string', default: '4' },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'V', default: false },
} as const;

/** node:util's parser (strict: an unknown flag is an error), its errors turned into usage errors. */
function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, allowNegative: true, strict: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The scanned root: the repository's top for git modes, the one folder given, else the current folder. */
async function rootOf(target: ScanTarget, cwd: string): Promise<string> {
  if (target.kind === 'staged' || target.kind === 'history') return topLevel(cwd);
  if (target.kind === 'paths' && target.paths.length === 1 && (await isDirectory(target.paths[0]!))) return resolve(cwd, target.paths[0]!);
  return cwd;
}

/** The baseline in force: --baseline, else the configuration's, else the default file when present. */
async function baselineOf(named: string | undefined, config: ScanConfig | null, root: string): Promise<Baseline | null> {
  if (named !== undefined) return readBaseline(resolve(named));
  if (config?.baseline) return readBaseline(config.baseline);
  const standard = join(root, DEFAULT_BASELINE);
  try {
    await stat(standard);
  } catch {
    return null;
  }
  return readBaseline(standard);
}

/** `--staged`, `--git-history`, `-` or paths, checked for combinations that mean nothing. */
function targetOf(values: { staged: boolean; 'git-history': boolean }, positionals: string[]): ScanTarget {
  if (values.staged && values['git-history']) throw new UsageError('--staged and --git-history do not go together');
  if (values.staged && positionals.length > 0) throw new UsageError('--staged takes no paths');
  if (values.staged) return { kind: 'staged' };
  if (values['git-history']) return { kind: 'history', range: positionals };
  if (positionals.length === 1 && positionals[0] === '-') return { kind: 'stdin', stream: process.stdin };
  if (positionals.includes('-')) throw new UsageError('- (standard input) cannot be mixed with paths');
  return { kind: 'paths', paths: positionals.length > 0 ? positionals : ['.'] };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) {
    await write(process.stdout, USAGE);
    return 0;
  }
  if (values.version) {
    await write(process.stdout, `${version}\n`);
    return 0;
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format: one of ${FORMATS.join(', ')}, not ${values.format}`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError('--concurrency: a whole number from 1 to 256');
  const target = targetOf(values, positionals);
  // Checked before anything is read: a key must never be on its way to a refused address.
  const apiUrl = values.report ? reportTarget(values.api ?? (process.env.TRADETALLY_API_URL || DEFAULT_API_URL)) : null;

  const cwd = process.cwd();
  const root = await rootOf(target, cwd);
  const config = await readConfig(root);
  const maxFileSize = values['max-file-size'] !== undefined ? parseSize(values['max-file-size'], '--max-file-size') : (config?.maxFileSize ?? 10 * 1024 ** 2);
  const ignoreTestKeys = values['ignore-test-keys'] ?? config?.ignoreTestKeys ?? false;
  const excludes = config?.exclude.length ? ignore().add(config.exclude) : null;
  const baseline = await baselineOf(values.baseline, config, root);

  const progress: ScanProgress = { files: 0, bytes: 0 };
  const progressLine = !values.quiet && process.stderr.isTTY ? new ProgressLine(process.stderr, progress) : null;
  progressLine?.start();
  const started = performance.now();
  // Said after the scan, so they never break into the progress line.
  const errors: string[] = [];
  const notices: string[] = [];
  const result = await scan(target, {
    maxFileSize,
    ignoreTestKeys,
    concurrency,
    cwd,
    root,
    ...(excludes ? { excluded: (path: string, isDir: boolean) => excludes.ignores(isDir ? `${path}/` : path) } : {}),
    onError: (path, error) => errors.push(`${path}: ${describe(error)}`),
    onNotice: (message) => notices.push(message),
    progress,
  }).finally(() => progressLine?.stop());
  for (const error of errors) await say(error);
  if (!values.quiet) for (const notice of notices) await say(notice);

  let inForce = baseline;
  if (values['write-baseline'] !== undefined) {
    inForce = await writeBaseline(resolve(values['write-baseline']), baselineText(result.findings, baseline));
  }
  const expired = inForce ? applyBaseline(result.findings, inForce).expired : [];
  const open = result.findings.filter((f) => !f.suppression);

  const out =
    format === 'sarif'
      ? formatSarif(result.findings, version)
      : format === 'json'
        ? formatJson(open)
        : formatText(open, stylesFor(wantsColour(process.stdout.isTTY === true, process.env)));
  await write(process.stdout, out);

  if (!values.quiet) {
    if (values['write-baseline'] !== undefined && inForce) await say(`wrote ${plural(inForce.entries.length, 'entry', 'entries')} to ${inForce.file}`);
    for (const entry of expired) await say(`baseline entry for ${entry.path} expired on ${entry.until}: it no longer suppresses`);
    await say(summary(target, result, open, maxFileSize, performance.now() - started));
  }

  if (apiUrl) {
    const keys = [...new Set(open.filter((f) => f.env === 'live').map((f) => f.fingerprint))].map((fingerprint) => result.liveKeys.get(fingerprint)!);
    const reported = await reportKeys(apiUrl, keys);
    await say(`reported ${plural(reported, 'live key')} to ${apiUrl.origin}`);
  }
  if (errors.length > 0) return 2;
  return open.length > 0 ? 1 : 0;
}

/** `12 files (0.3 MiB) in 0.05 s; 2 keys found (1 live, 1 test); 1 suppressed (1 inline, 0 baseline)`. */
function summary(target: ScanTarget, result: ScanResult, open: Finding[], maxFileSize: number, ms: number): string {
  const live = open.filter((f) => f.env === 'live').length;
  const suppressed = result.findings.length - open.length;
  const inline = result.findings.filter((f) => f.suppression?.kind === 'inSource').length;
  const skipped = [
    result.skippedBinary ? `${result.skippedBinary} binary` : '',
    result.skippedTooLarge ? `${result.skippedTooLarge} over ${sizeText(maxFileSize)}` : '',
  ].filter(Boolean);
  const files = plural(result.files, 'file');
  const what = target.kind === 'staged' ? `staged ${files}` : target.kind === 'history' ? `${files} in history` : files;
  return (
    `${what} (${mib(result.bytes)}) in ${(ms / 1000).toFixed(2)} s` +
    `${skipped.length ? ` (skipped ${skipped.join(', ')})` : ''}; ` +
    `${plural(open.length, 'key')} found (${live} live, ${open.length - live} test)` +
    `${suppressed ? `; ${suppressed} suppressed (${inline} inline, ${suppressed - inline} baseline)` : ''}`
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    if (error instanceof UsageError) await write(process.stderr, `tradetally-scan: ${error.message}\n\n${USAGE}`);
    else if (error instanceof SettingsError || error instanceof ReportAddressError || error instanceof GitError) await say(error.message);
    else await say(describe(error));
    process.exitCode = 2;
  },
);
