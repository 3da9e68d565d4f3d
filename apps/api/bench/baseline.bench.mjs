// The API against what this machine can do (issue 15): a bare node:http server doing the same work
// as a key-checked GET /v1/trades?limit=1 (the same HMAC-SHA256 with the pepper through
// @tradetally/database's KeyHasher, the same key lookup and trade query through the same sqlite3
// driver on the same database file, the same JSON), measured next to the built API in alternating
// rounds of one run. Targets: API throughput >= 0.6 of the bare server's, API p99 <= 3x its p99.
//
// `node bench/baseline.bench.mjs` runs the benchmark; `node bench/baseline.bench.mjs serve FILE PORT`
// is the bare server itself (its own process, so it never shares an event loop with autocannon).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyHasher } from '@tradetally/database';
import autocannon from 'autocannon';
import sqlite3 from 'sqlite3';
import { BENCH_PEPPER, call as callAt, freePort, median, postTrades } from './support.mjs';

const PEPPER = BENCH_PEPPER;
// The API's own SQL for the two queries (credentials.service.ts, trades.service.ts), with the
// `$n` placeholders rewritten as the Db layer rewrites them for SQLite.
const KEY_SQL =
  'SELECT id, user_id, scope, expires_at, revoked_at, grace_ends_at, last_used_at, canary, allowed_ips, pepper_id FROM api_keys WHERE key_hash = ?1';
const TRADES_SQL =
  'SELECT id, user_id, symbol, side, quantity, price, fees, executed_at, notes, external_id, created_at FROM trades WHERE user_id = ?1 ORDER BY executed_at DESC, id DESC LIMIT 2';

if (process.argv[2] === 'serve') {
  serve(process.argv[3], Number(process.argv[4]));
} else {
  await bench();
}

/** The bare reference: everything the keyed route must do, and nothing else. */
function serve(file, port) {
  const hasher = new KeyHasher([{ id: '1', secret: PEPPER }]);
  const db = new sqlite3.Database(file);
  db.configure('busyTimeout', 5000);
  const keyStatement = db.prepare(KEY_SQL);
  const tradesStatement = db.prepare(TRADES_SQL);
  const all = (statement, params) => new Promise((resolve, reject) => statement.all(params, (error, rows) => (error ? reject(error) : resolve(rows))));
  const date = (text) => (text == null ? null : new Date(`${String(text).replace(' ', 'T')}Z`));
  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  createHttpServer(async (req, res) => {
    try {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!match) return send(res, 401, '{"code":"unauthenticated"}');
      const [key] = await all(keyStatement, hasher.candidates(match[1]));
      const now = Date.now();
      const ended = (value) => value != null && date(value).getTime() <= now;
      if (!key || key.canary || ended(key.revoked_at) || ended(key.expires_at)) return send(res, 401, '{"code":"invalid_api_key"}');
      const rows = await all(tradesStatement, [key.user_id]);
      const trades = rows.map((row) => ({
        id: row.id,
        symbol: row.symbol,
        side: row.side,
        quantity: Number(row.quantity),
        price: Number(row.price),
        fees: Number(row.fees),
        executedAt: date(row.executed_at).toISOString(),
        notes: row.notes,
        externalId: row.external_id,
      }));
      const last = trades[0];
      const nextCursor = trades.length > 1 ? Buffer.from(`${last.executedAt}|${last.id}`, 'utf8').toString('base64url') : null;
      send(res, 200, JSON.stringify({ data: trades.slice(0, 1), nextCursor }));
    } catch (error) {
      send(res, 500, JSON.stringify({ code: 'internal_error', detail: String(error) }));
    }
  }).listen(port, '127.0.0.1', () => process.send?.('ready'));
}

async function bench() {
  const DURATION = Number(process.env.BENCH_SECONDS ?? 3);
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
  const CONNECTIONS = 16;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'tt-baseline-'));
  const dbFile = join(dir, 'bench.sqlite');
  const apiPort = await freePort();
  const barePort = await freePort();
  const apiBase = `http://127.0.0.1:${apiPort}`;
  const bareBase = `http://127.0.0.1:${barePort}`;
  const children = [];
  children.push(
    spawn(process.execPath, [join(root, 'dist/main.js')], {
      env: {
        ...process.env,
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${dbFile}`,
        LOG_LEVEL: 'warn',
        TT_KEY_PEPPER: PEPPER,
        RATE_LIMIT_PREFIX: `tt-baseline:${apiPort}`,
        QUEUE_PREFIX: `tt-baseline-${apiPort}`,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );

  const call = (method, path, body, token) => callAt(apiBase, method, path, body, token);

  // CPU time (user + system, all threads) of a process, in ms: what a request costs the server,
  // a figure the machine's other load blurs far less than throughput does.
  const cpuMs = (pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100)
  };
  const pids = new Map();
  function load(base, headers) {
    return new Promise((resolve, reject) => {
      const cpuBefore = cpuMs(pids.get(base));
      autocannon({ url: `${base}/v1/trades?limit=1`, connections: CONNECTIONS, duration: DURATION, headers }, (error, result) => {
        if (error) return reject(error);
        if (result.non2xx > 0 || result.errors > 0) return reject(new Error(`${base}: ${result.non2xx} non-2xx, ${result.errors} errors`));
        const cpuUs = ((cpuMs(pids.get(base)) - cpuBefore) * 1000) / result.requests.total;
        resolve({ rps: result.requests.average, p99: result.latency.p99, cpuUs });
      });
    });
  }

  try {
    for (let i = 0; ; i++) {
      if (i > 120) throw new Error('the API did not start');
      if (
        await fetch(`${apiBase}/v1/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const email = `baseline-${apiPort}@example.com`;
    await call('POST', '/v1/auth/register', { email, password: 'benchmark password' });
    const { token } = await call('POST', '/v1/auth/login', { email, password: 'benchmark password' });
    const { secret } = await call('POST', '/v1/api-keys', { name: 'bench', scope: 'read_write' }, token);
    await postTrades(apiBase, secret, 20);
    const bare = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve', dbFile, String(barePort)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.push(bare);
    await new Promise((resolve, reject) => {
      bare.once('message', resolve);
      bare.once('exit', (code) => reject(new Error(`the bare server stopped (${code})`)));
    });
    const headers = { authorization: `Bearer ${secret}` };
    pids.set(apiBase, children[0].pid);
    pids.set(bareBase, bare.pid);
    // Both must answer the same body, or the comparison means nothing.
    const [fromApi, fromBare] = await Promise.all([apiBase, bareBase].map((base) => fetch(`${base}/v1/trades?limit=1`, { headers }).then((r) => r.text())));
    if (fromApi !== fromBare) throw new Error(`the bodies differ:\n  API:  ${fromApi}\n  bare: ${fromBare}`);
    await load(apiBase, headers); // warm-up: JIT, SQLite page cache
    await load(bareBase, headers);

    const api = [];
    const base = [];
    const rpsRatios = [];
    const p99Ratios = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so a drift of the machine within a round hits both alike.
      const [a, b] = round % 2 === 0 ? [await load(apiBase, headers), await load(bareBase, headers)] : [null, await load(bareBase, headers)];
      const apiRound = a ?? (await load(apiBase, headers));
      api.push(apiRound);
      base.push(b);
      rpsRatios.push(apiRound.rps / b.rps);
      p99Ratios.push(apiRound.p99 / Math.max(b.p99, 1));
    }
    const rpsRatio = median(rpsRatios);
    const p99Ratio = median(p99Ratios);
    const spread = (values) => `${Math.min(...values).toFixed(2)}..${Math.max(...values).toFixed(2)}`;
    const pass = (ok) => (ok ? 'PASS' : 'FAIL');
    const fmt = (rounds) =>
      `${Math.round(median(rounds.map((r) => r.rps))).toLocaleString('en')} req/s, p99 ${median(rounds.map((r) => r.p99))} ms, ${Math.round(median(rounds.map((r) => r.cpuUs)))} µs CPU a request`;
    const cpuRatio = median(api.map((r, i) => r.cpuUs / base[i].cpuUs));
    console.log(
      `Baseline benchmark (keyed GET /v1/trades?limit=1, autocannon, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION} s, SQLite, loopback)`,
    );
    console.log(`  bare node:http: ${fmt(base)}`);
    console.log(`  API:            ${fmt(api)}`);
    console.log(`  1. throughput API / bare (median of pairs): ${rpsRatio.toFixed(2)} (rounds ${spread(rpsRatios)}; target >= 0.6) ${pass(rpsRatio >= 0.6)}`);
    console.log(`  2. p99 API / bare (median of pairs):        ${p99Ratio.toFixed(2)} (rounds ${spread(p99Ratios)}; target <= 3) ${pass(p99Ratio <= 3)}`);
    console.log(`  3. CPU a request API / bare (median of pairs): ${cpuRatio.toFixed(2)} (for reference: less blurred by other load than 1 and 2)`);
    if (rpsRatio < 0.6 || p99Ratio > 3) process.exitCode = 1;
  } finally {
    for (const child of children) {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.on('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
