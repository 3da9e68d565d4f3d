// The trust benchmark of issue 9, over loopback against the built API (dist/main.js):
//   a. key-checked GET /v1/trades?limit=1 throughput while 200 connections send wrong passwords
//      for one account, as a ratio to the same route with no login flood (target >= 0.5): password
//      hashing runs in a small fixed pool and must not stall key checks;
//   b. median latency of leak reports that revoke an active key against reports that match
//      nothing (target ratio within 1/1.5..1.5): the route is no timing oracle.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '@tradetally/contracts';
import autocannon from 'autocannon';
import { call as callAt, median, startBenchApi } from './support.mjs';

const DURATION = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 16;
const FLOOD = 200;
const REPORTS = Number(process.env.BENCH_REPORTS ?? 30);
const dir = mkdtempSync(join(tmpdir(), 'tt-bench-trust-'));

const api = await startBenchApi(`sqlite:${join(dir, 'bench.sqlite')}`, {
  // The flood must reach the hash pool: no per-account or per-address limit stops it first.
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '100000000',
  RATE_LIMIT_LOGIN_ACCOUNT_CEILING: '100000000',
  RATE_LIMIT_LOGIN_PER_ADDRESS: '100000000',
  RATE_LIMIT_LEAKS_PER_ADDRESS: '100000',
});
const base = api.base;
const call = (method, path, body, token) => callAt(base, method, path, body, token);
const run = (options) =>
  new Promise((resolve, reject) => autocannon({ duration: DURATION, ...options }, (error, result) => (error ? reject(error) : resolve(result))));

try {
  const email = `bench-${api.port}@example.com`;
  await call('POST', '/v1/auth/register', { email, password: 'benchmark password' });
  const { token } = await call('POST', '/v1/auth/login', { email, password: 'benchmark password' });
  const { secret } = await call('POST', '/v1/api-keys', { name: 'bench', scope: 'read_write' }, token);
  await call('POST', '/v1/trades', { symbol: 'AAPL', side: 'buy', quantity: 1, price: 100, executedAt: new Date().toISOString() }, secret);
  const keyed = { url: `${base}/v1/trades?limit=1`, connections: CONNECTIONS, headers: { authorization: `Bearer ${secret}` } };
  const flood = {
    url: `${base}/v1/auth/login`,
    connections: FLOOD,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'not the password' }),
  };
  await run({ ...keyed, duration: 2 }); // warm-up

  // a. Alternating rounds: keyed alone, then keyed with the flood running beside it.
  const quiet = [];
  const loud = [];
  const ratios = [];
  let floodAnswers = { 401: 0, 429: 0, other: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const alone = (await run(keyed)).requests.average;
    const [busy, floodResult] = await Promise.all([run(keyed), run(flood)]);
    quiet.push(alone);
    loud.push(busy.requests.average);
    ratios.push(busy.requests.average / alone);
    floodAnswers = {
      401: floodAnswers['401'] + (floodResult.statusCodeStats['401']?.count ?? 0),
      429: floodAnswers['429'] + (floodResult.statusCodeStats['429']?.count ?? 0),
      other: floodAnswers.other + floodResult.non2xx - (floodResult.statusCodeStats['401']?.count ?? 0) - (floodResult.statusCodeStats['429']?.count ?? 0),
    };
  }
  const floodRatio = median(ratios);

  // b. Leak reports, one at a time, hit and miss interleaved.
  const hits = [];
  const misses = [];
  const timed = async (key) => {
    const started = performance.now();
    const response = await fetch(`${base}/v1/leaks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key, source: 'manual' }),
    });
    if (response.status !== 202) throw new Error(`leak report: ${response.status}`);
    await response.arrayBuffer();
    return performance.now() - started;
  };
  for (let i = 0; i < REPORTS; i++) {
    const victim = (await call('POST', '/v1/api-keys', { name: `victim ${i}`, scope: 'read' }, token)).secret;
    hits.push(await timed(victim));
    misses.push(await timed(generateApiKey('live')));
  }
  const leakRatio = median(hits) / median(misses);

  const pass = (ok) => (ok ? 'PASS' : 'FAIL');
  const rate = (values) => `${Math.round(median(values)).toLocaleString('en')} req/s`;
  console.log(`Trust benchmark (autocannon, ${ROUNDS} alternating rounds of ${DURATION} s, SQLite, loopback)`);
  console.log(`  keyed GET /v1/trades?limit=1: ${rate(quiet)} alone, ${rate(loud)} beside ${FLOOD} connections of wrong logins`);
  console.log(`  the flood's answers: ${floodAnswers['401']} checked (401), ${floodAnswers['429']} refused without a hash (429), ${floodAnswers.other} other`);
  console.log(`  a. keyed throughput under a login flood / without: ${floodRatio.toFixed(2)} (target >= 0.5) ${pass(floodRatio >= 0.5)}`);
  console.log(
    `  b. leak report median latency, revoked / unmatched: ${median(hits).toFixed(1)} ms / ${median(misses).toFixed(1)} ms = ${leakRatio.toFixed(2)} (target 0.67..1.5) ${pass(leakRatio < 1.5 && leakRatio > 1 / 1.5)}`,
  );
  if (floodRatio < 0.5 || !(leakRatio < 1.5 && leakRatio > 1 / 1.5)) process.exitCode = 1;
} finally {
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
}
