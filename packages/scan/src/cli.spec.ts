import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JsonFinding, expectedFindings, lookalike, newKey, runCli, sarifValidator } from './testing/cli.js';

let root: string;
/** Findings the tree must produce (path relative to `root`), in the command's order. */
let expected: JsonFinding[] = [];

async function put(path: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

/** Writes a text file whose keys must all be found. */
async function found(path: string, text: string): Promise<void> {
  await put(path, text);
  expected.push(...expectedFindings(path, text));
}

const byPlace = (a: JsonFinding, b: JsonFinding) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || a.column - b.column);

/** The same tree, and the same verdicts, whether git lists the files or the walk reads the .gitignore files. */
describe.each([
  ['in a git repository', true],
  ['in a folder outside any repository', false],
] as const)('tradetally-scan on a tree %s', (_where, inGit) => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tt-scan-tree-'));
    expected = [];
    if (inGit) execFileSync('git', ['init', '-q'], { cwd: root, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
    const live = newKey('live');
    const test = newKey('test');
    // Text, with a look-alike (bad checksum) beside the real keys.
    await found('config/app.txt', `# settings\nTRADETALLY_KEY=${live}\nfallback: ${test} (old: ${lookalike(newKey('live'))})\n`);
    // Pretty JSON and a minified bundle (one long line, keys deep inside it).
    await found('data/settings.json', JSON.stringify({ name: 'sync', keys: { primary: newKey('live'), sandbox: newKey('test') } }, null, 2));
    const filler = 'var a=function(b){return b*2};'.repeat(3000);
    await found('web/bundle.min.js', `${filler}const k="${newKey('live')}";${filler}fetch(u,{headers:{"X-API-Key":"${newKey('test')}"}});`);
    // Keys on the file's first and last bytes (no newline at the end).
    await found('edges.txt', `${newKey('live')}\nmiddle line\n${newKey('test')}`);
    // CRLF line ends, and characters of more than one byte before a key on its line.
    await found('windows.ini', `[api]\r\nname=naïve € 🎉\r\nkey=${newKey('live')}\r\n\r\n  other = "${newKey('test')}"\r\n`);
    // Dotfiles are scanned.
    await found('.env', `TT_KEY=${newKey('live')}\n`);
    // A file over 2 MiB is read in chunks: keys around the chunk boundaries are still found.
    const line = `${'x'.repeat(99)}\n`;
    let big = line.repeat(Math.ceil((4 * 1024 * 1024) / 100));
    // The first read takes 2 MiB, then chunks of 1 MiB: keys straddle both boundaries.
    for (const at of [2 * 1024 * 1024 - 20, 3 * 1024 * 1024 - 10, 3 * 1024 * 1024 + 500]) {
      big = `${big.slice(0, at)}${newKey('live')}${big.slice(at)}`;
    }
    await found('logs/big.log', big);
    // Look-alikes only: silent.
    const k = newKey('live');
    await put('lookalikes.txt', [lookalike(k), `x${k}`, `${k}y`, k.slice(0, -1), k.replace('tt_', 'TT_'), `tt_prod_${k.slice(8)}`].join('\n'));
    // Skipped: binary (NUL in the first 8 KiB), ignored by .gitignore (root and nested), .git, node_modules.
    await put('image.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), Buffer.from(` ${newKey('live')} `)]));
    await put('.gitignore', 'ignored.log\nsecrets/\n');
    await put('ignored.log', newKey('live'));
    await put('secrets/prod.txt', newKey('live'));
    await put('sub/.gitignore', '*.tmp\n!keep.tmp\n');
    await put('sub/scratch.tmp', newKey('live'));
    await found('sub/keep.tmp', `re-included by the nested .gitignore: ${newKey('test')}`);
    await put('node_modules/pkg/index.js', `module.exports = "${newKey('live')}";`);
    if (inGit) await appendFile(join(root, '.git/config'), `[remote "origin"]\n url = https://x:${newKey('live')}@example.com\n`);
    expected.sort(byPlace);
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds every key in text, JSON, minified, CRLF and chunked files at the right line and column (json)', async () => {
    const run = await runCli(['--format', 'json'], { cwd: root });
    expect(run.code).toBe(1);
    const findings = JSON.parse(run.stdout) as JsonFinding[];
    expect(findings).toEqual(expected);
    expect(findings.map((f) => f.path)).not.toContain('image.png');
    expect(run.stderr).toMatch(/keys found/);
  });

  it('prints one `path:line:column  prefix…last4  env` line per key, summary on stderr only', async () => {
    const run = await runCli(['.'], { cwd: root });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(expected.map((f) => `${f.path}:${f.line}:${f.column}  ${f.prefix}…${f.last4}  ${f.env}\n`).join(''));
    expect(run.stderr).toMatch(/^tradetally-scan: \d+ files .*; \d+ keys found \(\d+ live, \d+ test\)\n$/);
    expect(run.stderr).toMatch(/skipped 1 binary/);
  });

  it('names findings by the path given (a folder or a file)', async () => {
    const folder = await runCli(['--format', 'json', join(root, 'config')], { cwd: tmpdir() });
    expect((JSON.parse(folder.stdout) as JsonFinding[]).map((f) => f.path)).toEqual([join(root, 'config', 'app.txt'), join(root, 'config', 'app.txt')]);
    const file = await runCli(['--format', 'json', 'edges.txt'], { cwd: root });
    expect(JSON.parse(file.stdout)).toEqual(expected.filter((f) => f.path === 'edges.txt'));
  });

  it('writes SARIF 2.1.0 that validates against the official schema: live keys error, test keys warning', async () => {
    const run = await runCli(['--format', 'sarif'], { cwd: root });
    expect(run.code).toBe(1);
    const log = JSON.parse(run.stdout) as Log;
    const validate = await sarifValidator();
    const checked = validate(log);
    expect(checked.valid, checked.errors).toBe(true);
    expect(validate({ ...log, runs: [{ ...log.runs[0], results: [{ ...log.runs[0]!.results![0], level: 'fatal' }] }] }).valid).toBe(false); // the check bites
    const run0 = log.runs[0]!;
    expect(run0.tool.driver.rules?.map((r) => r.id)).toEqual(['tradetally-api-key']);
    expect(run0.results).toHaveLength(expected.length);
    run0.results!.forEach((result, i) => {
      const want = expected[i]!;
      expect(result.ruleId).toBe('tradetally-api-key');
      expect(result.level).toBe(want.env === 'live' ? 'error' : 'warning');
      expect(result.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe(want.path);
      expect(result.locations?.[0]?.physicalLocation?.region).toMatchObject({ startLine: want.line, startColumn: want.column });
    });
  });

  it('exits 0 and prints an empty list when nothing is found', async () => {
    const clean = await runCli(['--format', 'json', 'lookalikes.txt', 'sub/scratch.tmp'], { cwd: root });
    expect(clean.code).toBe(1); // a file named on the command line is scanned even if ignored
    const none = await runCli(['--format', 'json', 'lookalikes.txt'], { cwd: root });
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual([]);
    const sarif = await runCli(['--format', 'sarif', 'lookalikes.txt'], { cwd: root });
    expect(sarif.code).toBe(0);
    expect((JSON.parse(sarif.stdout) as Log).runs[0]?.results).toEqual([]);
  });

  it('leaves test keys out with --ignore-test-keys', async () => {
    const run = await runCli(['--format', 'json', '--ignore-test-keys'], { cwd: root });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual(expected.filter((f) => f.env === 'live'));
  });

  it('skips files over --max-file-size', async () => {
    const run = await runCli(['--format', 'json', '--max-file-size', '1MiB'], { cwd: root });
    expect(JSON.parse(run.stdout)).toEqual(expected.filter((f) => f.path !== 'logs/big.log'));
    expect(run.stderr).toMatch(/over 1MiB/);
  });

  it('scans standard input with -, chunked, CRLF and all', async () => {
    const text = `first\r\n${'y'.repeat(70_000)} ${newKey('live')}\r\nlast ${newKey('test')}`;
    const run = await runCli(['--format', 'json', '-'], { cwd: root, input: text });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual(expectedFindings('(stdin)', text));
    const clean = await runCli(['-'], { cwd: root, input: 'nothing here' });
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe('');
  });

  it('exits 2 with a message on stderr for a bad flag, a bad value or a missing path', async () => {
    for (const args of [['--bogus'], ['--format', 'xml'], ['--max-file-size', 'lots'], ['--staged', 'src'], ['-', 'src']]) {
      const run = await runCli(args, { cwd: root });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^tradetally-scan: /);
    }
    const missing = await runCli(['no-such-folder', 'edges.txt'], { cwd: root });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-folder: no such file or folder/);
    expect(missing.stdout).toContain('edges.txt:1:1'); // the other paths are still scanned
  });

  it('never prints a key named in a file name either', async () => {
    const key = newKey('live');
    await put(`names/${key}.txt`, 'nothing here');
    const run = await runCli(['names', 'names/nope-' + key], { cwd: root });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('tt_live_[REDACTED]');
  });
});
