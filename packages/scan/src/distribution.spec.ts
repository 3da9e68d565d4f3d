import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, expectNoKeyIn, gitIn, newKey, sarifValidator } from './testing/cli.js';

// The GitHub Action and the pre-commit hook install the published package, at this package's version.
const repo = new URL('../../../', import.meta.url);
const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number>;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}
interface Hook {
  id: string;
  entry: string;
  language: string;
}

const action = parse(await readFile(new URL('action.yml', repo), 'utf8')) as Action;
const hooks = parse(await readFile(new URL('.pre-commit-hooks.yaml', repo), 'utf8')) as Hook[];

describe('the GitHub Action', () => {
  it('installs @tradetally/scan at this version on Node.js 24, builds nothing, and uploads with upload-sarif v4', () => {
    expect(action.runs.using).toBe('composite');
    const steps = action.runs.steps;
    expect(steps.find((step) => step.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(24);
    expect(action.inputs.version?.default).toBe(version);
    expect(steps.map((step) => step.run ?? '').join('\n')).toContain('npm install --global --no-audit --no-fund "@tradetally/scan@$SCAN_VERSION"');
    expect(steps.some((step) => /npm ci|npm run build|action_path/.test(step.run ?? ''))).toBe(false);
    expect(steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif'))?.uses).toBe('github/codeql-action/upload-sarif@v4');
  });

  describe('its scan step, run as the runner runs it', () => {
    let dir: string;
    let bin: string;
    const scanStep = () => action.runs.steps.find((step) => step.id === 'scan')!;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tt-scan-action-'));
      // What `npm install --global` puts on PATH: the command itself.
      bin = join(dir, 'bin');
      execFileSync('mkdir', ['-p', bin]);
      await writeFile(join(bin, 'tradetally-scan'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
      await chmod(join(bin, 'tradetally-scan'), 0o755);
    });

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function runStep(workspace: string, inputs: Record<string, string>) {
      const output = join(dir, `output-${Math.random().toString(36).slice(2)}`);
      await writeFile(output, '');
      let code = 0;
      try {
        execFileSync('bash', ['-e', '-c', scanStep().run!], {
          cwd: workspace,
          env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, RUNNER_TEMP: dir, GITHUB_OUTPUT: output, GIT_CONFIG_GLOBAL: '/dev/null', ...inputs },
          stdio: 'pipe',
        });
      } catch (error) {
        code = (error as { status: number }).status;
      }
      const outputs = Object.fromEntries(
        (await readFile(output, 'utf8'))
          .trim()
          .split('\n')
          .map((line) => line.split('=') as [string, string]),
      );
      return { code, outputs };
    }

    it('writes one SARIF run with the tree’s and the history’s findings, and says a key was found', async () => {
      const workspace = await mkdtemp(join(dir, 'workspace-'));
      gitIn(workspace, 'init', '-q');
      await writeFile(join(workspace, 'gone.txt'), `${newKey('live')}\n`);
      gitIn(workspace, 'add', '.');
      gitIn(workspace, 'commit', '-q', '-m', 'key');
      await writeFile(join(workspace, 'gone.txt'), 'removed\n');
      await writeFile(join(workspace, 'here.env'), `K=${newKey('test')}\n`);
      gitIn(workspace, 'add', '.');
      gitIn(workspace, 'commit', '-q', '-m', 'moved');
      const { code, outputs } = await runStep(workspace, { SCAN_PATH: '.', SCAN_HISTORY: 'true', SCAN_IGNORE_TEST: 'false' });
      expect(code).toBe(0);
      expect(outputs.found).toBe('true');
      const text = await readFile(outputs['sarif-file']!, 'utf8');
      expectNoKeyIn(text, 'the SARIF file');
      const log = JSON.parse(text) as Log;
      const checked = (await sarifValidator())(log);
      expect(checked.valid, checked.errors).toBe(true);
      expect(log.runs).toHaveLength(1);
      expect(log.runs[0]!.results!.map((r) => [r.locations![0]!.physicalLocation!.artifactLocation!.uri, r.properties?.commit ? 'history' : 'tree'])).toEqual([
        ['here.env', 'tree'],
        ['gone.txt', 'history'],
        ['here.env', 'history'],
      ]);
    });

    it('says nothing was found when every key is accepted or ignored', async () => {
      const workspace = await mkdtemp(join(dir, 'workspace-'));
      await writeFile(join(workspace, 'test.env'), `K=${newKey('test')}\nL=${newKey('live')} # tradetally-scan:allow\n`);
      const { code, outputs } = await runStep(workspace, { SCAN_PATH: '.', SCAN_HISTORY: 'false', SCAN_IGNORE_TEST: 'true' });
      expect(code).toBe(0);
      expect(outputs.found).toBe('false');
    });
  });
});

describe('the pre-commit hook', () => {
  it('runs the published package at this version on the staged changes', () => {
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({
      id: 'tradetally-scan',
      language: 'system',
      entry: `npx --yes --package=@tradetally/scan@${version} -- tradetally-scan --staged`,
    });
  });
});
