import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JsonFinding, gitIn, newKey, runCli } from './testing/cli.js';

let repo: string;

/** Runs git in the test repository, with an identity and no user or system configuration. */
const git = (...args: string[]): string => gitIn(repo, ...args);

async function put(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(repo, path)), { recursive: true });
  await writeFile(join(repo, path), content);
}

const scan = (args: string[], cwd = repo) => runCli(['--format', 'json', ...args], { cwd, env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });

beforeEach(async () => {
  repo = await mkdtemp(join(tmpdir(), 'tt-scan-git-'));
  git('init', '-q', '-b', 'main');
});

afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe('tradetally-scan --staged', () => {
  it('finds only the staged additions, numbered as in the staged file', async () => {
    const committed = newKey('live');
    await put('app/config.txt', `line 1\nline 2\nold = ${committed}\nline 4\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    const added = newKey('live');
    const newFile = newKey('test');
    const unstaged = newKey('live');
    // A line added between existing ones (CRLF, a wide character before the key), a new file.
    await put('app/config.txt', `line 1\nline 2\nold = ${committed}\n€ new = ${added}\r\nline 4\n`);
    await put('app/new file.env', `\n\nKEY=${newFile}\n`);
    git('add', '.');
    // Changes made after staging are not part of the commit: not scanned.
    await put('app/config.txt', `line 1\nline 2\nold = ${committed}\n€ new = ${added}\r\nline 4\nlater = ${unstaged}\n`);
    await put('untracked.txt', newKey('live'));
    const run = await scan(['--staged']);
    expect(run.code).toBe(1);
    const findings = JSON.parse(run.stdout) as JsonFinding[];
    expect(findings).toEqual([
      { path: 'app/config.txt', line: 4, column: 9, prefix: added.slice(0, 12), last4: added.slice(-4), env: 'live' },
      { path: 'app/new file.env', line: 3, column: 5, prefix: newFile.slice(0, 12), last4: newFile.slice(-4), env: 'test' },
    ]);
  });

  it('names paths relative to the current folder inside the repository, and exits 0 on a clean index', async () => {
    await put('a/b/keys.txt', `k=${newKey('live')}\n`);
    git('add', '.');
    const run = await scan(['--staged'], join(repo, 'a'));
    expect((JSON.parse(run.stdout) as JsonFinding[]).map((f) => f.path)).toEqual(['b/keys.txt']);
    git('commit', '-q', '-m', 'x');
    const clean = await scan(['--staged']);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual([]);
  });

  it('exits 2 outside a repository', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'tt-scan-nogit-'));
    try {
      const run = await scan(['--staged'], outside);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/not a git repository/);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('tradetally-scan --git-history', () => {
  it('finds a key that was added and later deleted, with the commit that added it, on every branch', async () => {
    await put('README.md', 'hello\n');
    git('add', '.');
    git('commit', '-q', '-m', 'start');
    const deleted = newKey('live');
    await put('src/settings.ts', `export const a = 1;\nexport const key = '${deleted}';\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'add key');
    const adding = git('rev-parse', 'HEAD');
    await put('src/settings.ts', 'export const a = 1;\nexport const key = process.env.TT_KEY;\n');
    git('commit', '-q', '-am', 'remove key');
    git('checkout', '-q', '-b', 'feature');
    const onBranch = newKey('test');
    await put('notes.txt', `${onBranch}\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'branch');
    const branchCommit = git('rev-parse', 'HEAD');
    git('checkout', '-q', 'main');

    const run = await scan(['--git-history']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([
      { path: 'notes.txt', line: 1, column: 1, prefix: onBranch.slice(0, 12), last4: onBranch.slice(-4), env: 'test', commit: branchCommit },
      { path: 'src/settings.ts', line: 2, column: 21, prefix: deleted.slice(0, 12), last4: deleted.slice(-4), env: 'live', commit: adding },
    ]);
    const text = await runCli(['--git-history'], { cwd: repo });
    expect(text.stdout).toContain(`src/settings.ts:2:21  ${deleted.slice(0, 12)}…${deleted.slice(-4)}  live  ${adding}\n`);
    // A range limits the history: main alone does not hold the branch's commit.
    const mainOnly = await scan(['--git-history', 'main']);
    expect((JSON.parse(mainOnly.stdout) as JsonFinding[]).map((f) => f.commit)).toEqual([adding]);
    const bad = await scan(['--git-history', 'no-such-branch']);
    expect(bad.code).toBe(2);
  });
});

describe('tradetally-scan in a repository, as attackers leave keys', () => {
  it('finds a committed .env that a later .gitignore names, and skips an ignored file never committed', async () => {
    const committed = newKey('live');
    await put('.env', `TT_KEY=${committed}\n`);
    git('add', '.env');
    git('commit', '-q', '-m', 'config');
    await put('.gitignore', '.env\n*.local\n');
    await put('dev.local', `TT_KEY=${newKey('live')}\n`);
    git('add', '.gitignore');
    git('commit', '-q', '-m', 'ignore it now');
    const run = await scan(['.']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([{ path: '.env', line: 1, column: 8, prefix: committed.slice(0, 12), last4: committed.slice(-4), env: 'live' }]);
  });

  it('scans the files of a submodule, which git lists as one entry', async () => {
    const library = await mkdtemp(join(tmpdir(), 'tt-scan-submodule-'));
    try {
      const inside = newKey('live');
      await writeFile(join(library, 'keys.txt'), `${inside}\n`);
      for (const args of [
        ['init', '-q'],
        ['add', '.'],
        ['commit', '-q', '-m', 'library'],
      ]) {
        execFileSync('git', args, {
          cwd: library,
          env: {
            ...process.env,
            GIT_CONFIG_GLOBAL: '/dev/null',
            GIT_AUTHOR_NAME: 't',
            GIT_AUTHOR_EMAIL: 't@e',
            GIT_COMMITTER_NAME: 't',
            GIT_COMMITTER_EMAIL: 't@e',
          },
        });
      }
      git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', library, 'vendor/library');
      const run = await scan(['.']);
      expect(run.code).toBe(1);
      expect((JSON.parse(run.stdout) as JsonFinding[]).map((f) => [f.path, f.last4])).toEqual([['vendor/library/keys.txt', inside.slice(-4)]]);
    } finally {
      await rm(library, { recursive: true, force: true });
    }
  });

  it('reads a file marked -diff in .gitattributes as text in --staged and --git-history', async () => {
    await put('.gitattributes', '*.env -diff\nvault.bin binary\n');
    const inEnv = newKey('live');
    const inBinary = newKey('test');
    await put('prod.env', `A=1\nKEY=${inEnv}\n`);
    await put('vault.bin', `\u0000\u0001head ${inBinary} tail\n`);
    git('add', '.');
    expect(git('diff', '--cached', '--', 'prod.env')).toContain('Binary files'); // what hid the key before
    const staged = await scan(['--staged']);
    expect(staged.code).toBe(1);
    expect((JSON.parse(staged.stdout) as JsonFinding[]).map((f) => [f.path, f.line, f.last4])).toEqual([
      ['prod.env', 2, inEnv.slice(-4)],
      ['vault.bin', 1, inBinary.slice(-4)],
    ]);
    git('commit', '-q', '-m', 'attributes');
    const history = await scan(['--git-history']);
    expect((JSON.parse(history.stdout) as JsonFinding[]).map((f) => f.last4)).toEqual([inEnv.slice(-4), inBinary.slice(-4)]);
  });

  it('finds a key added only in a merge commit, and reports a branch’s key once, at the branch’s commit', async () => {
    await put('app.txt', 'base\n');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    git('checkout', '-q', '-b', 'feature');
    const onBranch = newKey('test');
    await put('feature.txt', `${onBranch}\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'feature');
    const branchCommit = git('rev-parse', 'HEAD');
    git('checkout', '-q', 'main');
    await put('main.txt', 'main work\n');
    git('add', '.');
    git('commit', '-q', '-m', 'main');
    // The merge itself adds a key (an "evil merge": neither parent has it).
    git('merge', '-q', '--no-ff', '--no-commit', 'feature');
    const inMerge = newKey('live');
    await put('app.txt', `base\nkey = ${inMerge}\n`);
    git('add', '.');
    git('commit', '-q', '-m', 'merge feature');
    const mergeCommit = git('rev-parse', 'HEAD');
    const run = await scan(['--git-history']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([
      { path: 'app.txt', line: 2, column: 7, prefix: inMerge.slice(0, 12), last4: inMerge.slice(-4), env: 'live', commit: mergeCommit },
      { path: 'feature.txt', line: 1, column: 1, prefix: onBranch.slice(0, 12), last4: onBranch.slice(-4), env: 'test', commit: branchCommit },
    ]);
  });

  it('applies --max-file-size to blobs: a key in a large blob is skipped, even in a one-line change', async () => {
    const filler = `${'x'.repeat(99)}\n`.repeat(20_000); // 2 MB
    await put('big.log', filler);
    await put('small.txt', 'small\n');
    git('add', '.');
    git('commit', '-q', '-m', 'files');
    const inBig = newKey('live');
    const inSmall = newKey('live');
    await put('big.log', `${filler}${inBig}\n`); // one added line, in a blob over 1 MiB
    await put('small.txt', `small\n${inSmall}\n`);
    git('add', '.');
    const limited = await scan(['--staged', '--max-file-size', '1MiB']);
    expect((JSON.parse(limited.stdout) as JsonFinding[]).map((f) => f.path)).toEqual(['small.txt']);
    expect(limited.stderr).toMatch(/skipped 1 over 1MiB/);
    const unlimited = await scan(['--staged']);
    expect((JSON.parse(unlimited.stdout) as JsonFinding[]).map((f) => f.path)).toEqual(['big.log', 'small.txt']);
    git('commit', '-q', '-m', 'keys');
    // History: the whole new 2 MB file (first commit) and the one-line change (second) alike.
    await put('new-big.log', `${inBig}\n${filler}`);
    git('add', '.');
    git('commit', '-q', '-m', 'another big one');
    const history = await scan(['--git-history', '--max-file-size', '1MiB']);
    expect((JSON.parse(history.stdout) as JsonFinding[]).map((f) => f.path)).toEqual(['small.txt']);
    expect(history.stderr).toMatch(/skipped 3 over 1MiB/);
  });
});
