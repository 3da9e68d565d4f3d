import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoKeyIn, newKey } from './testing/cli.js';

// What someone outside this repository gets: `npm pack` of the package (built first: turbo's test
// task builds it), installed with npm in an empty folder far from the repository, run with npx.
const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let tarball: string;
let project: string;

/** npm without the repository's or the user's settings leaking in. */
const npm = (args: string[], cwd: string) =>
  run('npm', args, { cwd, env: { ...process.env, npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false' } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tt-scan-install-'));
  const { stdout } = await npm(['pack', '--json', '--pack-destination', dir], packageDir);
  const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(dir, packed!.filename);
  project = join(dir, 'project');
  await mkdir(project);
  // --offline: with nothing to fetch, the install must not need the registry at all.
  await npm(['install', '--offline', '--no-package-lock', tarball], project);
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the packed @tradetally/scan, installed outside the repository', () => {
  it('holds the command, the bundle, the README and the licence only', async () => {
    const { stdout } = await npm(['pack', '--dry-run', '--json'], packageDir);
    const [packed] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>;
    expect(packed!.files.map((file) => file.path).sort()).toEqual([
      'LICENSE',
      'README.md',
      'bin/tradetally-scan.mjs',
      'dist/tradetally-scan.mjs',
      'package.json',
    ]);
  });

  it('installs with no dependencies', async () => {
    expect(await readdir(join(project, 'node_modules'))).toEqual(expect.arrayContaining(['@tradetally', '.bin']));
    expect((await readdir(join(project, 'node_modules'))).filter((name) => !name.startsWith('.'))).toEqual(['@tradetally']);
    expect(await readdir(join(project, 'node_modules', '@tradetally'))).toEqual(['scan']);
  });

  it('answers npx tradetally-scan --version and -V with the package version', async () => {
    const { version } = (await import('../package.json', { with: { type: 'json' } })).default;
    for (const flag of ['--version', '-V']) {
      const { stdout } = await run('npx', ['--no-install', 'tradetally-scan', flag], { cwd: project });
      expect(stdout).toBe(`${version}\n`);
    }
  });

  it('scans a folder there', async () => {
    await writeFile(join(project, 'app.env'), `TT_KEY=${newKey('live')}\n`);
    const scan = await run('npx', ['--no-install', 'tradetally-scan', '--format', 'json', 'app.env'], { cwd: project }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect('code' in scan ? scan.code : 0).toBe(1);
    expectNoKeyIn(scan.stdout + scan.stderr, 'the installed command');
    expect(JSON.parse(scan.stdout)).toMatchObject([{ path: 'app.env', line: 1, column: 8, env: 'live' }]);
  });
});
