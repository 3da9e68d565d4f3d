import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { generateApiKey } from '@tradetally/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScanTarget, scan } from './scan.js';

// Work must grow with the input alone, not with line length times keys per line. Measured as this
// process's CPU time (git's own is in its process), which other load on the machine disturbs far
// less than wall time, the best of a few rounds. Here one long line costs 0.8-1.1x what short
// lines cost; a newline search that ran on past the key to the end of the window made it 2.0-2.2x
// (files, standard input), and decoding and re-counting a diff line for each key on it 60x. npm
// run bench compares the wall times of 8 MiB inputs against the 2x the scanner promises.
const SIZE = 2 * 1024 * 1024;
const BOUND = 1.75;
const ROUNDS = 3;

let dir: string;
const keys = Array.from({ length: 16 }, (_, i) => generateApiKey(i % 2 ? 'live' : 'test'));

/** About SIZE bytes: ordinary lines of ~100 bytes, a key every `every` lines, joined by `joint`. */
function text(joint: string, every: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < SIZE; i++) {
    const line =
      i % every === 0
        ? `token: ${keys[i % keys.length]} filled at limit, naïve €12.50`
        : 'the trade filled at limit price tt_live_demo token test_ live volume b_c';
    parts.push(line);
    length += Buffer.byteLength(line) + 1;
  }
  return parts.join(joint);
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
}

async function cpuMsOf(target: () => ScanTarget, cwd: string): Promise<{ ms: number; found: number }> {
  let best = Number.POSITIVE_INFINITY;
  let found = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    const result = await scan(target(), {
      maxFileSize: 64 * 1024 * 1024,
      ignoreTestKeys: false,
      concurrency: 1,
      cwd,
      root: cwd,
      onError: (path, error) => {
        throw new Error(`${path}: ${String(error)}`);
      },
      onNotice: () => undefined,
    });
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
    found = result.findings.length;
  }
  return { ms: best, found };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tt-scan-linear-'));
  git(dir, 'init', '-q');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scanning time is linear in the input, whatever the line lengths', () => {
  it.each([
    ['a file', 1],
    ['standard input', 1],
    ['staged changes', 10],
  ] as const)('%s: one 2 MiB line costs no more than 2 MiB of short lines', async (kind, every) => {
    const lines = text('\n', every);
    const oneLine = text(' ', every);
    await writeFile(join(dir, 'lines.txt'), lines);
    await writeFile(join(dir, 'one-line.txt'), oneLine);
    const targetOf = (name: string, content: string) => (): ScanTarget => {
      if (kind === 'a file') return { kind: 'paths', paths: [join(dir, name)] };
      if (kind === 'standard input') return { kind: 'stdin', stream: Readable.from(Buffer.from(content), { objectMode: false }) };
      git(dir, 'reset', '-q');
      git(dir, 'add', name);
      return { kind: 'staged' };
    };
    const short = await cpuMsOf(targetOf('lines.txt', lines), dir);
    const long = await cpuMsOf(targetOf('one-line.txt', oneLine), dir);
    expect(long.found).toBe(short.found);
    expect(long.found).toBeGreaterThan(1000);
    expect(long.ms / short.ms, `one line ${long.ms.toFixed(0)} ms, short lines ${short.ms.toFixed(0)} ms`).toBeLessThanOrEqual(BOUND);
  });
});
