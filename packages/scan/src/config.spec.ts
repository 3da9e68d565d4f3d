import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JsonFinding, gitIn, newKey, runCli } from './testing/cli.js';

let root: string;

async function put(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

const json = (args: string[], cwd = root) => runCli(['--format', 'json', ...args], { cwd });
const paths = (stdout: string) => (JSON.parse(stdout) as JsonFinding[]).map((f) => f.path);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tt-scan-config-'));
  await put('src/app.env', `KEY=${newKey('live')}\n`);
  await put('src/test.env', `KEY=${newKey('test')}\n`);
  await put('fixtures/keys.txt', `${newKey('live')}\n`);
  await put('deep/a/b/snapshot.snap', `${newKey('live')}\n`);
  await put('big/dump.log', `${'x'.repeat(300_000)}\n${newKey('live')}\n`);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('.tradetally-scan.toml at the scanned root', () => {
  it('excludes paths by .gitignore-style patterns, caps file size and ignores test keys', async () => {
    expect(paths((await json(['.'])).stdout)).toEqual(['big/dump.log', 'deep/a/b/snapshot.snap', 'fixtures/keys.txt', 'src/app.env', 'src/test.env']);
    await put('.tradetally-scan.toml', ['exclude = ["fixtures/", "*.snap"]', 'max-file-size = "256KiB"', 'ignore-test-keys = true', ''].join('\n'));
    const run = await json(['.']);
    expect(paths(run.stdout)).toEqual(['src/app.env']);
    expect(run.stderr).toMatch(/skipped 1 over 256KiB/);
    // Scanning the folder from elsewhere reads the same file: it belongs to the scanned root.
    expect(paths((await json([root], tmpdir())).stdout)).toEqual([join(root, 'src/app.env')]);
  });

  it('lets flags win over the file', async () => {
    await put('.tradetally-scan.toml', 'max-file-size = 1024\nignore-test-keys = true\n');
    const run = await json(['--max-file-size', '10MiB', '--no-ignore-test-keys', '.']);
    expect(paths(run.stdout)).toEqual(['big/dump.log', 'deep/a/b/snapshot.snap', 'fixtures/keys.txt', 'src/app.env', 'src/test.env']);
  });

  it('names a baseline relative to itself', async () => {
    const written = await json(['--write-baseline', 'ci/accepted.json', '.']);
    expect(written.code).toBe(0);
    expect((await json(['.'])).code).toBe(1); // not the default name: not read by itself
    await put('.tradetally-scan.toml', 'baseline = "ci/accepted.json"\n');
    const run = await json(['.']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/5 suppressed \(0 inline, 5 baseline\)/);
  });

  it('applies to --staged and --git-history from the repository’s top', async () => {
    gitIn(root, 'init', '-q');
    await put('.tradetally-scan.toml', 'exclude = ["fixtures/", "deep/"]\n');
    gitIn(root, 'add', '.');
    expect(paths((await json(['--staged'], join(root, 'src'))).stdout)).toEqual(['../big/dump.log', 'app.env', 'test.env']);
    gitIn(root, 'commit', '-q', '-m', 'all');
    expect(paths((await json(['--git-history'])).stdout)).toEqual(['big/dump.log', 'src/app.env', 'src/test.env']);
  });

  it('refuses an unknown key, a wrong type or broken TOML, naming the file (exit 2)', async () => {
    for (const [content, message] of [
      ['exclude = "fixtures/"\n', /exclude must be an array of strings/],
      ['max-file-size = "lots"\n', /max-file-size: not a size: lots/],
      ['ignore-test-keys = "yes"\n', /ignore-test-keys must be true or false/],
      ['excludes = ["x"]\n', /unknown key excludes/],
      ['exclude = [\n', /not valid TOML/],
    ] as const) {
      await put('.tradetally-scan.toml', content);
      const run = await json(['.']);
      expect(run.code, content).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/\.tradetally-scan\.toml/);
      expect(run.stderr).toMatch(message);
    }
  });
});
