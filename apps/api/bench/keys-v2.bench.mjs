// The benchmark of issues 10 and 11, over loopback against the built API (dist/main.js), SQLite:
//   a. keyed GET /v1/trades?limit=1 with usage counting on (USAGE_FLUSH_SECONDS=60) against off
//      (0), two API processes on one database, alternating rounds (target >= 0.95);
//   b. the same route with a key holding 20 allowedIps entries against a key with none
//      (target >= 0.95);
//   c. the usage roll-up of 10,000 keys' counters into the database (target <= 1 s).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '@tradetally/database';
import autocannon from 'autocannon';
import { UsageCounter } from '../dist/common/usage-counter.service.js';
import { call, median, startBenchApi } from './support.mjs';

const DURATION = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 16;
const ROLLUP_KEYS = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'tt-bench-v2-'));
const databaseUrl = `sqlite:${join(dir, 'bench.sqlite')}`;

const load = (url, token) =>
  new Promise((resolve, reject) =>
    autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers: { authorization: `Bearer ${token}` } }, (error, result) => {
      if (error) return reject(error);
      if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
      resolve(result.requests.average);
    }),
  );

/** Alternating rounds of two loads; the figure is the median of the per-round ratios. */
async function compare(first, second) {
  const a = [];
  const b = [];
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    const x = await first();
    const y = await second();
    a.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  return { a: median(a), b: median(b), ratio: median(ratios) };
}

const counting = await startBenchApi(databaseUrl, { USAGE_FLUSH_SECONDS: '60' });
const plain = await startBenchApi(databaseUrl, { USAGE_FLUSH_SECONDS: '0' });
try {
  const email = 'bench-v2@example.com';
  await call(counting.base, 'POST', '/v1/auth/register', { email, password: 'benchmark password' });
  const { token } = await call(counting.base, 'POST', '/v1/auth/login', { email, password: 'benchmark password' });
  const open = (await call(counting.base, 'POST', '/v1/api-keys', { name: 'open', scope: 'read_write' }, token)).secret;
  const allowedIps = [...Array.from({ length: 19 }, (_, i) => `10.${i}.0.0/16`), '127.0.0.1'];
  const pinned = (await call(counting.base, 'POST', '/v1/api-keys', { name: 'pinned', scope: 'read', allowedIps }, token)).secret;
  await call(counting.base, 'POST', '/v1/trades', { symbol: 'AAPL', side: 'buy', quantity: 1, price: 100, executedAt: new Date().toISOString() }, open);
  const route = '/v1/trades?limit=1';
  await load(`${counting.base}${route}`, open); // warm-up
  await load(`${plain.base}${route}`, open);

  const usage = await compare(
    () => load(`${counting.base}${route}`, open),
    () => load(`${plain.base}${route}`, open),
  );
  const ips = await compare(
    () => load(`${plain.base}${route}`, pinned),
    () => load(`${plain.base}${route}`, open),
  );

  // c. The roll-up, in this process, through the API's own UsageCounter against the same database.
  const db = await openDb(databaseUrl, { migrate: false });
  const [{ id: userId }] = await db.query('SELECT id FROM users LIMIT 1');
  await db.query(
    `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${ROLLUP_KEYS})
     INSERT INTO api_keys (id, user_id, name, scope, environment, prefix, last4, key_hash, created_at)
     SELECT lower(printf('%s-%s-4%s-8%s-%s', hex(randomblob(4)), hex(randomblob(2)), substr(hex(randomblob(2)), 2), substr(hex(randomblob(2)), 2), hex(randomblob(6)))),
            $1, 'bulk ' || n, 'read', 'live', 'tt_live_bulk', 'bulk', lower(hex(randomblob(32))), '2026-11-01 00:00:00.000' FROM seq`,
    [userId],
  );
  const ids = (await db.query("SELECT id FROM api_keys WHERE name LIKE 'bulk %'")).map((row) => row.id);
  const counter = new UsageCounter({ USAGE_FLUSH_SECONDS: 60 }, db);
  for (const id of ids) {
    counter.accepted(id);
    counter.accepted(id);
    counter.rejected(id);
  }
  const started = performance.now();
  const written = await counter.flush();
  const rollupMs = performance.now() - started;
  const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM api_key_usage');
  await db.close();

  const pass = (ok) => (ok ? 'PASS' : 'FAIL');
  const rate = (value) => `${Math.round(value).toLocaleString('en')} req/s`;
  console.log(`Keys v2 benchmark (autocannon, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION} s, SQLite, loopback)`);
  console.log(
    `  a. usage counting on / off:           ${rate(usage.a)} / ${rate(usage.b)} = ${usage.ratio.toFixed(2)} (target >= 0.95) ${pass(usage.ratio >= 0.95)}`,
  );
  console.log(`  b. key with 20 allowedIps / with none: ${rate(ips.a)} / ${rate(ips.b)} = ${ips.ratio.toFixed(2)} (target >= 0.95) ${pass(ips.ratio >= 0.95)}`);
  console.log(
    `  c. roll-up of ${ROLLUP_KEYS.toLocaleString('en')} keys' counters: ${rollupMs.toFixed(0)} ms for ${written} rows (${n} in the table) (target <= 1000 ms) ${pass(rollupMs <= 1000)}`,
  );
  if (usage.ratio < 0.95 || ips.ratio < 0.95 || rollupMs > 1000) process.exitCode = 1;
} finally {
  await Promise.all([counting.stop(), plain.stop()]);
  rmSync(dir, { recursive: true, force: true });
}
