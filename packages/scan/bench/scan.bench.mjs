// tradetally-scan against ripgrep over a generated tree of 256 MiB of text files holding 100 keys,
// side by side in one run, alternating so both see the same page cache and machine load.
// Targets (scanning.md): at most 3x rg's time; scanner peak RSS under 200 MiB.
import { spawn, spawnSync } from 'node:child_process';
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
function run(command, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let peakKib = 0;
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
    child.stderr.resume();
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
      resolve({ ms: performance.now() - started, code, stdout, peakKib });
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
// The fastest round too: on a shared machine it is the least disturbed one of each tool.
const fastest = (values) => Math.min(...values);

async function main() {
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

await main();
