// Two comparisons, each side by side in one run, alternating rounds so both sides see the same page
// cache and machine load:
// - tree: tradetally-scan against ripgrep over a generated tree of 256 MiB of text files holding
//   100 keys. Targets: at most 3x rg's time; scanner peak RSS under 200 MiB.
// - long lines: an 8 MiB file that is one line against 8 MiB of ordinary lines (the same text and
//   keys), as a file, on standard input, staged and in history. Target: at most 2x.
// `npm run bench -w @tradetally/scan -- tree` (or `long-lines`) runs one of them.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_KEY_PATTERN, generateApiKey } from '@tradetally/contracts';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'tradetally-scan.mjs');
const TREE_BYTES = 256 * 1024 * 1024;
const FILE_BYTES = 512 * 1024; // 512 files in 16 folders
const FOLDERS = 16;
const KEYS = 100;
const ROUNDS = 7;
const TIME_TARGET = 3;
const RSS_TARGET_MIB = 200;

/** Deterministic prose-like lines (with near misses: `tt_`, `live_`, short keys) so the search has work to do. */
function prose(size, seed) {
  const words = [
    'the',
    'trade',
    'filled',
    'at',
    'limit',
    'price',
    'after',
    'open',
    'and',
    'we',
    'took',
    'profit',
    'on',
    'AAPL',
    'TSLA',
    'stop',
    'loss',
    'moved',
    'to',
    'breakeven',
    'journal',
    'entry',
    'notes:',
    'tt_live_demo',
    'token',
    'test_',
    'live',
    'volume',
    'was',
    'thin',
    'so',
    'spread',
    'widened',
    '2026-11-29',
    '14:30',
    'risk',
    'reward',
    'ratio',
    '3:1',
    'const',
    'apiKey',
    '=',
    'process.env.TT_KEY;',
    '{',
    '}',
    'return',
    'await',
    'fetch(url)',
    'über',
    'naïve',
    '€12.50',
  ];
  let state = seed >>> 0;
  const next = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 8) % words.length;
  const lines = [];
  let length = 0;
  while (length < size) {
    let line = '';
    const count = 6 + (next() % 10);
    for (let i = 0; i < count; i++) line += (i ? ' ' : '') + words[next()];
    lines.push(line);
    length += Buffer.byteLength(line) + 1;
  }
  return lines.join('\n');
}

async function buildTree(root) {
  const files = TREE_BYTES / FILE_BYTES;
  // Which files get a key, spread over the tree (a few get two).
  const keyed = new Map();
  for (let i = 0; i < KEYS; i++) {
    const file = (i * 7919) % files;
    keyed.set(file, [...(keyed.get(file) ?? []), generateApiKey(i % 4 === 0 ? 'test' : 'live')]);
  }
  const bases = Array.from({ length: 8 }, (_, i) => prose(FILE_BYTES, i + 1));
  for (let f = 0; f < files; f++) {
    const dir = join(root, `dir-${String(f % FOLDERS).padStart(2, '0')}`);
    if (f < FOLDERS) await mkdir(dir, { recursive: true });
    let text = bases[f % bases.length];
    for (const [k, key] of (keyed.get(f) ?? []).entries()) {
      const at = text.indexOf('\n', Math.floor((text.length / 3) * (k + 1))) + 1;
      text = `${text.slice(0, at)}token: ${key}\n${text.slice(at)}`;
    }
    await writeFile(join(dir, `notes-${f}.txt`), text.slice(0, FILE_BYTES));
  }
  return files;
}

/** Runs a command, polling /proc for its peak RSS (VmHWM); resolves with time, output and peak. */
function run(command, args, { cwd, stdinFile } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const stdin = stdinFile ? openSync(stdinFile, 'r') : 'ignore';
    const child = spawn(command, args, { cwd, stdio: [stdin, 'pipe', 'pipe'] });
    if (typeof stdin === 'number') closeSync(stdin);
    let stdout = '';
    let stderr = '';
    let peakKib = 0;
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
    const poll = setInterval(async () => {
      try {
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) peakKib = Math.max(peakKib, Number(hwm[1]));
      } catch {
        // exited between ticks, or no /proc here
      }
    }, 5);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ ms: performance.now() - started, code, stdout, stderr, peakKib });
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
// The fastest round too: on a shared machine it is the least disturbed one of each tool.
const fastest = (values) => Math.min(...values);

async function tree() {
  const haveRg = spawnSync('rg', ['--version']).status === 0;
  const root = await mkdtemp(join(tmpdir(), 'tt-scan-bench-'));
  try {
    const t0 = performance.now();
    const files = await buildTree(root);
    console.log(`tree: ${files} files, ${TREE_BYTES / 1024 / 1024} MiB, ${KEYS} keys (built in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    const scanTimes = [];
    const rgTimes = [];
    let peakKib = 0;
    // One warm-up each fills the page cache, so both measure searching, not the disk.
    const rounds = ROUNDS + 1;
    for (let round = 0; round < rounds; round++) {
      const scanned = await run(process.execPath, [CLI, '--quiet', '--format', 'json', root]);
      const found = JSON.parse(scanned.stdout).length;
      if (scanned.code !== 1 || found !== KEYS) throw new Error(`tradetally-scan found ${found} keys (exit ${scanned.code}), expected ${KEYS}`);
      peakKib = Math.max(peakKib, scanned.peakKib);
      if (round > 0) scanTimes.push(scanned.ms);
      if (haveRg) {
        const searched = await run('rg', ['--no-config', '--count-matches', '--no-filename', API_KEY_PATTERN, root]);
        const matches = searched.stdout
          .split('\n')
          .filter(Boolean)
          .reduce((sum, n) => sum + Number(n), 0);
        if (matches < KEYS) throw new Error(`rg found ${matches} matches, expected at least ${KEYS}`);
        if (round > 0) rgTimes.push(searched.ms);
      }
    }
    const scanMs = median(scanTimes);
    const peakMib = peakKib / 1024;
    console.log(
      `tradetally-scan   median ${scanMs.toFixed(0)} ms, fastest ${fastest(scanTimes).toFixed(0)} ms  (${scanTimes.map((t) => t.toFixed(0)).join(', ')})`,
    );
    if (haveRg) {
      const rgMs = median(rgTimes);
      const ratio = scanMs / rgMs;
      console.log(
        `rg (bare pattern) median ${rgMs.toFixed(0)} ms, fastest ${fastest(rgTimes).toFixed(0)} ms  (${rgTimes.map((t) => t.toFixed(0)).join(', ')})`,
      );
      console.log(
        `ratio of medians ${ratio.toFixed(2)}x (of fastest rounds ${(fastest(scanTimes) / fastest(rgTimes)).toFixed(2)}x)  (target <= ${TIME_TARGET}x)  ${ratio <= TIME_TARGET ? 'OK' : 'OVER TARGET'}`,
      );
      if (ratio > TIME_TARGET) process.exitCode = 1;
    } else {
      console.log('rg: not installed (Debian package ripgrep: apt-get install -y ripgrep); skipped the side-by-side comparison');
    }
    console.log(
      `scanner peak RSS ${peakKib ? `${peakMib.toFixed(0)} MiB` : 'n/a (no /proc)'}  (target < ${RSS_TARGET_MIB} MiB)  ${!peakKib || peakMib < RSS_TARGET_MIB ? 'OK' : 'OVER TARGET'}`,
    );
    if (peakKib && peakMib >= RSS_TARGET_MIB) process.exitCode = 1;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const LONG_BYTES = 8 * 1024 * 1024;
const LONG_TARGET = 2;

/** 8 MiB of prose lines with a key every 10 lines, as lines and as one line (the same bytes but the newlines). */
function longLineTexts() {
  const keys = Array.from({ length: 64 }, (_, i) => generateApiKey(i % 2 ? 'live' : 'test'));
  const lines = prose(LONG_BYTES, 42)
    .split('\n')
    .map((line, i) => (i % 10 === 0 ? `${line} token: ${keys[i % keys.length]}` : line));
  return { lines: lines.join('\n').slice(0, LONG_BYTES), oneLine: lines.join(' ').slice(0, LONG_BYTES) };
}

async function longLines() {
  const dir = await mkdtemp(join(tmpdir(), 'tt-scan-long-'));
  const git = (...args) =>
    execFileSync('git', args, {
      cwd: dir,
      env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.com' },
    });
  try {
    const { lines, oneLine } = longLineTexts();
    await writeFile(join(dir, 'lines.txt'), lines);
    await writeFile(join(dir, 'one-line.txt'), oneLine);
    // An empty base commit and a branch adding each file; the work tree stays at the base with both
    // files untracked beside it, for the file and stdin modes and for staging one at a time.
    git('init', '-q');
    git('commit', '-q', '--allow-empty', '-m', 'base');
    git('branch', 'base');
    for (const name of ['lines.txt', 'one-line.txt']) {
      git('add', name);
      git('commit', '-q', '-m', name);
      git('branch', name);
      git('reset', '-q', 'base'); // back to the base, the file still on disk
    }
    const modes = [
      ['file', (name) => ({ args: [name] })],
      ['stdin', (name) => ({ args: ['-'], stdinFile: join(dir, name) })],
      ['staged', (name) => ({ args: ['--staged'], before: () => (git('reset', '-q'), git('add', name)) })],
      ['history', (name) => ({ args: ['--git-history', `base..${name}`], before: () => git('reset', '-q') })],
    ];
    let worst = 0;
    for (const [mode, setup] of modes) {
      const times = { 'lines.txt': [], 'one-line.txt': [] };
      const found = {};
      for (let round = 0; round < ROUNDS + 1; round++) {
        for (const name of ['lines.txt', 'one-line.txt']) {
          const { args, stdinFile, before } = setup(name);
          before?.();
          const result = await run(process.execPath, [CLI, '--quiet', '--format', 'json', ...args], { cwd: dir, stdinFile });
          if (result.code !== 1) throw new Error(`${mode} ${name}: exit ${result.code}: ${result.stderr}`);
          found[name] = JSON.parse(result.stdout).length;
          if (round > 0) times[name].push(result.ms);
        }
      }
      if (found['lines.txt'] !== found['one-line.txt']) throw new Error(`${mode}: ${found['lines.txt']} keys in lines, ${found['one-line.txt']} in one line`);
      const ratio = median(times['one-line.txt']) / median(times['lines.txt']);
      worst = Math.max(worst, ratio);
      console.log(
        `long lines, ${mode.padEnd(7)} one line median ${median(times['one-line.txt']).toFixed(0)} ms, lines ${median(times['lines.txt']).toFixed(0)} ms: ` +
          `${ratio.toFixed(2)}x (${found['lines.txt']} keys; target <= ${LONG_TARGET}x)  ${ratio <= LONG_TARGET ? 'OK' : 'OVER TARGET'}`,
      );
    }
    if (worst > LONG_TARGET) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const only = process.argv[2];
if (only && only !== 'tree' && only !== 'long-lines') throw new Error(`unknown part ${only}: tree or long-lines`);
if (!only || only === 'long-lines') await longLines();
if (!only || only === 'tree') await tree();
