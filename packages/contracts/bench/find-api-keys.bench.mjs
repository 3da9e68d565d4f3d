// findApiKeys over 8 MiB of prose holding 50 keys, against a bare regex loop in the same run.
// Target (issue 2): findApiKeys at most 1.5x the bare loop's time.
import { performance } from 'node:perf_hooks';
import { API_KEY_PATTERN, findApiKeys, generateApiKey } from '../dist/index.js';

const SIZE = 8 * 1024 * 1024;
const KEYS = 50;
const ROUNDS = 15;
const TARGET = 1.5;

function prose(size, seed = 42) {
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
  ];
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) % words.length;
  const parts = [];
  let length = 0;
  while (length < size) {
    const word = words[next()];
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ');
}

function buildText() {
  const base = prose(SIZE);
  const step = Math.floor(base.length / (KEYS + 1));
  let text = '';
  for (let i = 0; i < KEYS; i++) text += base.slice(i * step, (i + 1) * step) + ' ' + generateApiKey(i % 2 ? 'live' : 'test') + ' ';
  return (text + base.slice(KEYS * step)).slice(0, SIZE);
}

function bareLoop(text) {
  const re = new RegExp(API_KEY_PATTERN, 'g');
  const found = [];
  let m;
  while ((m = re.exec(text)) !== null) found.push(m.index);
  return found;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn, text) {
  const start = performance.now();
  const out = fn(text);
  return [performance.now() - start, out.length];
}

const text = buildText();
// Warm both paths so the JIT has compiled them before measuring.
for (let i = 0; i < 3; i++) {
  bareLoop(text);
  findApiKeys(text);
}
const bare = [];
const ours = [];
let counts;
for (let i = 0; i < ROUNDS; i++) {
  const [b, nb] = time(bareLoop, text);
  const [o, no] = time(findApiKeys, text);
  bare.push(b);
  ours.push(o);
  counts = [nb, no];
}
const ratio = median(ours) / median(bare);
const mib = text.length / 1024 / 1024;
console.log(`findApiKeys over ${mib.toFixed(1)} MiB of prose with ${KEYS} keys (median of ${ROUNDS} rounds)`);
console.log(`  bare /${API_KEY_PATTERN}/g loop: ${median(bare).toFixed(2)} ms (${counts[0]} matches, ${(mib / (median(bare) / 1000)).toFixed(0)} MiB/s)`);
console.log(`  findApiKeys:                          ${median(ours).toFixed(2)} ms (${counts[1]} keys, ${(mib / (median(ours) / 1000)).toFixed(0)} MiB/s)`);
console.log(`  ratio findApiKeys / bare: ${ratio.toFixed(2)}x (target <= ${TARGET}x) ${ratio <= TARGET ? 'PASS' : 'FAIL'}`);
if (counts[1] !== KEYS) {
  console.error(`expected ${KEYS} keys, found ${counts[1]}`);
  process.exitCode = 1;
}
if (ratio > TARGET) process.exitCode = 1;
