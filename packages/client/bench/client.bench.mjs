// The client's overhead per call against raw fetch on the same keyed route (GET /v1/trades?limit=1),
// on a built API in a child process. Raw and client calls alternate one by one, so warm-up, GC, the
// API's drift and other load on the machine fall on both alike; the median of the rounds' ratios is
// the figure (target <= 1.1): it shrugs off a round disturbed by a burst of other work.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TradeTallyClient } from '@tradetally/client';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const CALLS = Number(process.env.BENCH_CALLS ?? 150);
const API_MAIN = fileURLToPath(new URL('../../../apps/api/dist/main.js', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'tt-client-bench-'));
const tag = randomBytes(4).toString('hex');
const child = spawn(process.execPath, [API_MAIN], {
  env: {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, 'bench.sqlite')}`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    TT_KEY_PEPPER: 'client-bench-pepper-that-is-at-least-32-characters',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PREFIX: `tt-client-bench:${tag}:rl`,
    QUEUE_PREFIX: `tt-client-bench-${tag}`,
    WEB_DIST: '/nonexistent-web-dist',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const baseUrl = await new Promise((resolve, reject) => {
  child.once('exit', (code) => reject(new Error(`the API exited with ${code}`)));
  child.stdout.on('data', (chunk) => {
    const match = /listening on (http:\/\/\S+)/.exec(String(chunk));
    if (match) resolve(match[1].replace('localhost', '127.0.0.1'));
  });
});

try {
  const owner = new TradeTallyClient({ baseUrl });
  const email = `bench-${tag}@example.com`;
  await owner.auth.register({ email, password: 'a long enough password' });
  await owner.auth.login({ email, password: 'a long enough password' });
  const { secret } = await owner.keys.create({ name: 'bench', scope: 'read_write' });
  const tt = new TradeTallyClient({ baseUrl, apiKey: secret });
  await tt.trades.create({ symbol: 'AAPL', side: 'buy', quantity: 1, price: 100, executedAt: '2026-11-02T14:30:00Z' });

  const url = `${baseUrl}/v1/trades?limit=1`;
  const headers = { accept: 'application/json', authorization: `Bearer ${secret}` };
  const raw = async () => {
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`raw fetch: ${response.status}`);
    return response.json();
  };
  const viaClient = () => tt.trades.list({ limit: 1 });

  // Client-side CPU too: wall time carries the API's own work and this machine's other load; the
  // CPU this process spends per call is what the client itself adds.
  const cpu = { raw: 0, client: 0 };
  /** One timed call, in microseconds of wall time; its CPU time goes to cpu[side]. */
  async function time(call) {
    const side = call === raw ? 'raw' : 'client';
    const usage = process.cpuUsage();
    const start = process.hrtime.bigint();
    await call();
    const wall = Number(process.hrtime.bigint() - start) / 1000;
    const spent = process.cpuUsage(usage);
    cpu[side] += spent.user + spent.system;
    return wall;
  }

  for (let i = 0; i < 200; i++) await Promise.all([raw(), viaClient()]); // warm both paths and the API
  const rawTimes = [];
  const clientTimes = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Calls alternate one by one (and which goes first alternates too): both sides meet the same load.
    let rawSum = 0;
    let clientSum = 0;
    for (let i = 0; i < CALLS; i++) {
      if ((i + round) % 2 === 0) {
        rawSum += await time(raw);
        clientSum += await time(viaClient);
      } else {
        clientSum += await time(viaClient);
        rawSum += await time(raw);
      }
    }
    rawTimes.push(rawSum / CALLS);
    clientTimes.push(clientSum / CALLS);
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const ratio = median(rawTimes.map((r, i) => clientTimes[i] / r));
  console.log(`client overhead, GET /v1/trades?limit=1, ${ROUNDS} alternating rounds of ${CALLS} calls`);
  console.log(`  raw fetch: ${median(rawTimes).toFixed(0)} µs/call (median round)`);
  console.log(`  client:    ${median(clientTimes).toFixed(0)} µs/call (median round)`);
  const calls = ROUNDS * CALLS;
  console.log(`  CPU in this process: raw ${(cpu.raw / calls).toFixed(0)} µs/call, client ${(cpu.client / calls).toFixed(0)} µs/call`);
  console.log(`  ratio client/raw: ${ratio.toFixed(3)}x, median of paired rounds (target <= 1.1x) ${ratio <= 1.1 ? 'PASS' : 'MISS'}`);
  process.exitCode = ratio <= 1.1 ? 0 : 1;
} finally {
  child.kill('SIGTERM');
  await new Promise((done) => child.once('exit', done));
  rmSync(dir, { recursive: true, force: true });
}
