#!/usr/bin/env node
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { redactApiKeys } from '@tradetally/contracts';
import { FORMATS, type Format, formatJson, formatSarif, formatText } from './output.js';
import { DEFAULT_API_URL, reportKeys } from './report.js';
import { type ScanTarget, scan } from './scan.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const USAGE = `Usage: tradetally-scan [options] [path…]      scan files and folders (default .)
       tradetally-scan [options] -               scan standard input
       tradetally-scan [options] --staged        scan the lines added by the staged changes
       tradetally-scan [options] --git-history [range…]   scan every line added in git history
                                                  (default: all branches and tags)

Finds TradeTally API keys (tt_live_…, tt_test_…; checksum checked) and prints where they are as
prefix…last4, never the key. Skips .git, node_modules, .gitignore'd files and binary files.

Options:
  -f, --format <text|json|sarif>  output format (default text)
      --max-file-size <size>      skip larger files (default 10MiB; units k, M, G)
      --ignore-test-keys          report only tt_live_ keys
      --report                    send each live key found to POST /v1/leaks, which revokes it
      --api <url>                 the TradeTally API for --report
                                  (default $TRADETALLY_API_URL or ${DEFAULT_API_URL})
      --concurrency <n>           files read at once (default 4)
  -q, --quiet                     no summary on stderr
  -h, --help                      this help
      --version                   the version

Exit status: 0 nothing found, 1 keys found, 2 usage or I/O error.
`;

/** A bad command line: the message and the usage go to stderr, exit status 2. */
class UsageError extends Error {}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined) throw new UsageError(`--max-file-size: not a size: ${text} (e.g. 10MiB, 512k, 1048576)`);
  return Math.floor(Number(match[1]) * unit);
}

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

const OPTIONS = {
  format: { type: 'string', short: 'f', default: 'text' },
  'max-file-size': { type: 'string', default: '10MiB' },
  'ignore-test-keys': { type: 'boolean', default: false },
  report: { type: 'boolean', default: false },
  api: { type: 'string' },
  staged: { type: 'boolean', default: false },
  'git-history': { type: 'boolean', default: false },
  concurrency: { type: 'string', default: '4' },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

/** node:util's parser (strict: an unknown flag is an error), its errors turned into usage errors. */
function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  const { values, positionals } = parsed;
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
  const maxFileSize = parseSize(values['max-file-size']);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError('--concurrency: a whole number from 1 to 256');
  if (values.staged && values['git-history']) throw new UsageError('--staged and --git-history do not go together');
  if (values.staged && positionals.length > 0) throw new UsageError('--staged takes no paths');
  let apiUrl = values.api ?? process.env.TRADETALLY_API_URL ?? DEFAULT_API_URL;
  if (values.report) {
    try {
      apiUrl = new URL(apiUrl).toString();
    } catch {
      throw new UsageError(`--api: not a URL: ${apiUrl}`);
    }
  }

  let target: ScanTarget;
  if (values.staged) target = { kind: 'staged' };
  else if (values['git-history']) target = { kind: 'history', range: positionals };
  else if (positionals.length === 1 && positionals[0] === '-') target = { kind: 'stdin', stream: process.stdin };
  else if (positionals.includes('-')) throw new UsageError('- (standard input) cannot be mixed with paths');
  else target = { kind: 'paths', paths: positionals.length > 0 ? positionals : ['.'] };

  const started = performance.now();
  let errors = 0;
  const result = await scan(target, {
    maxFileSize,
    ignoreTestKeys: values['ignore-test-keys'],
    concurrency,
    cwd: process.cwd(),
    onError: (path, error) => {
      errors++;
      void say(`${path}: ${describe(error)}`);
    },
  });

  const out = format === 'json' ? formatJson(result.findings) : format === 'sarif' ? formatSarif(result.findings, version) : formatText(result.findings);
  await write(process.stdout, out);

  if (!values.quiet) {
    const live = result.findings.filter((f) => f.env === 'live').length;
    const skipped = [
      result.skippedBinary ? `${result.skippedBinary} binary` : '',
      result.skippedTooLarge ? `${result.skippedTooLarge} over ${values['max-file-size']}` : '',
    ].filter(Boolean);
    const files = `file${result.files === 1 ? '' : 's'}`;
    const what = target.kind === 'staged' ? `staged ${files}` : target.kind === 'history' ? `${files} in history` : files;
    await say(
      `${result.files} ${what} (${mib(result.bytes)}) in ${((performance.now() - started) / 1000).toFixed(2)} s` +
        `${skipped.length ? ` (skipped ${skipped.join(', ')})` : ''}; ` +
        `${result.findings.length} key${result.findings.length === 1 ? '' : 's'} found (${live} live, ${result.findings.length - live} test)`,
    );
  }

  if (values.report) {
    const reported = await reportKeys(apiUrl, result.liveKeys);
    await say(`reported ${reported} live key${reported === 1 ? '' : 's'} to ${new URL(apiUrl).origin}`);
  }
  if (errors > 0) return 2;
  return result.findings.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    if (error instanceof UsageError) await write(process.stderr, `tradetally-scan: ${error.message}\n\n${USAGE}`);
    else await say(describe(error));
    process.exitCode = 2;
  },
);
