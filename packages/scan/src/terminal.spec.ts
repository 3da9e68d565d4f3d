import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressText } from './progress.js';
import { CLI, expectNoKeyIn, newKey, runCli } from './testing/cli.js';

// A pseudo-terminal from util-linux's `script`: the command's stdin, stdout and stderr are a
// terminal, and everything it writes to either comes out on script's stdout.
let dir: string;
const ESC = '\u001b[';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tt-scan-tty-'));
  await writeFile(join(dir, 'keys.txt'), `live ${newKey('live')}\ntest ${newKey('test')}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Starts `tradetally-scan args` under a pseudo-terminal (or plainly), collecting all it prints. */
function start(args: string[], options: { tty: boolean; env?: Record<string, string>; stdinFrom?: string }) {
  const command = `${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')}${options.stdinFrom ? ` < ${quote(options.stdinFrom)}` : ''}`;
  const env = { ...process.env, NO_COLOR: '', FORCE_COLOR: '', TRADETALLY_API_URL: '', ...options.env };
  // An empty NO_COLOR or FORCE_COLOR would still count as set: remove them unless a test sets them.
  for (const name of ['NO_COLOR', 'FORCE_COLOR'] as const) if (!options.env?.[name]) delete env[name];
  const child: ChildProcess = options.tty
    ? spawn('script', ['-qfec', command, '/dev/null'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('sh', ['-c', command], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (output.stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (output.stderr += text));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve)).then((code) => {
    expectNoKeyIn(output.stdout + output.stderr, 'the terminal');
    return code;
  });
  return { output, done };
}

/** Resolves once `test` holds for the text, checking as output arrives (no fixed sleep). */
async function until(read: () => string, test: (text: string) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(read())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('colour', () => {
  it('colours findings on a terminal, never with NO_COLOR, and not when not a terminal', async () => {
    const tty = start(['keys.txt'], { tty: true });
    expect(await tty.done).toBe(1);
    expect(tty.output.stdout).toContain(`${ESC}31mlive${ESC}39m`);
    expect(tty.output.stdout).toContain(`${ESC}33mtest${ESC}39m`);
    const noColour = start(['keys.txt'], { tty: true, env: { NO_COLOR: '1' } });
    expect(await noColour.done).toBe(1);
    expect(noColour.output.stdout).toMatch(/keys\.txt:1:6 {2}tt_live_\w{4}…\w{4} {2}live/);
    expect(noColour.output.stdout).not.toContain(ESC);
    const piped = await runCli(['keys.txt'], { cwd: dir });
    expect(piped.stdout).toMatch(/^keys\.txt:1:6 /);
    expect(piped.stdout + piped.stderr).not.toContain(ESC);
  });

  it('colours always with FORCE_COLOR, even into a pipe; JSON never', async () => {
    const forced = await runCli(['keys.txt'], { cwd: dir, env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain(`${ESC}31mlive${ESC}39m`);
    const json = await runCli(['--format', 'json', 'keys.txt'], { cwd: dir, env: { FORCE_COLOR: '1' } });
    expect(json.stdout).not.toContain(ESC);
    expect(JSON.parse(json.stdout)).toHaveLength(2);
  });
});

describe('progress', () => {
  it('shows files and bytes on a terminal after a second, never with -q or off a terminal', async () => {
    // Standard input from a named pipe that the test holds open: the scan lasts until the test says.
    const fifos = ['shown', 'quiet', 'piped'].map((name) => join(dir, `${name}.fifo`));
    await Promise.all(
      fifos.map(
        (fifo) =>
          new Promise<void>((resolve, reject) => spawn('mkfifo', [fifo]).on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mkfifo ${code}`))))),
      ),
    );
    // The two that must stay silent start first: once the third shows progress, they are past a second too.
    const quiet = start(['-q', '-'], { tty: true, stdinFrom: fifos[1] });
    const piped = start(['-'], { tty: false, stdinFrom: fifos[2] });
    const startedAt = Date.now();
    const shown = start(['-'], { tty: true, stdinFrom: fifos[0] });
    const writers = fifos.map((fifo) => createWriteStream(fifo));
    for (const writer of writers) writer.write(`some text\n${newKey('live')}\n`);
    await until(
      () => shown.output.stdout,
      (text) => /tradetally-scan: 1 file, 0\.0 MiB…/.test(text),
      'the progress line',
    );
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000);
    // Redrawn in place: a second frame comes without a newline between.
    const frames = () => shown.output.stdout.split('\r\u001b[2K').length - 1;
    const first = frames();
    await until(
      () => String(frames()),
      (count) => Number(count) > first,
      'a redraw',
    );
    for (const writer of writers) writer.end();
    expect(await shown.done).toBe(1);
    expect(await quiet.done).toBe(1);
    expect(await piped.done).toBe(1);
    // The progress line is erased before anything else is printed: the finding starts a clean line.
    expect(shown.output.stdout).toContain(`\r${ESC}2K${ESC}35m(stdin)${ESC}39m:`);
    expect(shown.output.stdout).toMatch(/\ntradetally-scan: 1 file \(0\.0 MiB\) in [\d.]+ s; 1 key found/);
    expect(quiet.output.stdout).not.toMatch(/tradetally-scan: \d+ file/);
    expect(quiet.output.stdout).toContain(`(stdin)${ESC}39m:${ESC}32m2:1`); // it did scan
    expect(piped.output.stderr).not.toContain('…');
    expect(piped.output.stderr).not.toContain('\r');
    expect(piped.output.stderr).toMatch(/^tradetally-scan: 1 file \(0\.0 MiB\) in [\d.]+ s; 1 key found/);
  });

  it('names the commit in history mode', () => {
    expect(progressText({ files: 1234, bytes: 5 * 1024 * 1024, commit: '4b1d1c0e9f2a7d6c5b4a39281706f5e4d3c2b1a0' })).toBe(
      'tradetally-scan: 1,234 files, 5.0 MiB, commit 4b1d1c0e9f2a…',
    );
  });
});
