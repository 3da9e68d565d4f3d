#!/usr/bin/env node
// `npm run bench:fleet` (also part of `npm run bench`): the cluster of `npm run cluster` (3 APIs,
// 2 workers, PostgreSQL, Redis, nginx in front) under mixed traffic through nginx:
//   1. steady: after a warm-up (BENCH_FLEET_WARMUP_SECONDS, default 30), BENCH_FLEET_SECONDS
//      (default 60) of 90% key-checked reads, 8% journal writes and 2% key management: throughput,
//      p50, p99, errors (target 0), API RSS growth (target < 10%; medians of the first and last
//      10 s, since RSS swings with every major GC);
//   2. rolling restart: the same traffic while every API is restarted one by one (SIGTERM, wait
//      for the exit, start, wait until ready): failed requests (target 0);
//   3. scale: the same traffic against 1 API through the same nginx, as a ratio of 3 APIs to 1.
// The load generator, nginx, PostgreSQL and every process share this machine's cores, so the
// ratio in 3 is bounded by the core count, not by the API (see docs/operations.md).
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startCluster } from './cluster.mjs';

const SECONDS = Number(process.env.BENCH_FLEET_SECONDS ?? 60);
const SCALE_SECONDS = Number(process.env.BENCH_FLEET_SCALE_SECONDS ?? Math.min(SECONDS, 20));
// An API's RSS climbs for its first half-minute or so under this load while V8 sizes its heap,
// then stays level: growth is measured after that.
const WARMUP_SECONDS = Number(process.env.BENCH_FLEET_WARMUP_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_FLEET_CONNECTIONS ?? 32);
const USERS = 20;
const PORT = Number(process.env.BENCH_FLEET_PORT ?? 8180);
const BASE_PORT = Number(process.env.BENCH_FLEET_BASE_PORT ?? 3181);
const adminUrl = process.env.PG_TEST_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const databaseName = 'tradetally_bench_fleet';
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();

const say = (message) => console.log(`[bench:fleet] ${message}`);

/** A fresh database each run, so figures do not depend on what earlier runs left. */
async function freshDatabase() {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
}

const env = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  TT_KEY_PEPPER: 'bench-fleet-pepper-bench-fleet-pepper-0123',
  // The benchmark sends no e-mail: a production worker starts without SMTP_URL only when told so.
  EMAIL_DISABLED: 'true',
  RATE_LIMIT_PREFIX: `tt-bench-fleet:${process.pid}:rl`,
  QUEUE_PREFIX: `tt-bench-fleet-${process.pid}`,
  // Every simulated client comes from this one address: the per-address limits would stop it.
  RATE_LIMIT_REGISTER_PER_ADDRESS: '100000',
  RATE_LIMIT_LOGIN_PER_ADDRESS: '100000',
  RATE_LIMIT_KEY_FAILURES_PER_ADDRESS: '100000',
};

const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

/** One request through nginx; resolves to [status, ms, body]. Network errors count as status 0. */
function send(base, method, path, { token, body } = {}) {
  const started = performance.now();
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${base}${path}`, {
      method,
      agent,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      },
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve([res.statusCode ?? 0, performance.now() - started, Buffer.concat(chunks).toString()]));
      res.on('error', () => resolve([0, performance.now() - started, '']));
    });
    req.on('error', (error) => resolve([0, performance.now() - started, error.message]));
    req.end(payload);
  });
}

async function seed(base) {
  const users = [];
  for (let i = 0; i < USERS; i++) {
    const email = `bench-${process.pid}-${i}@example.com`;
    const password = 'a long enough password';
    const [registered, , text] = await send(base, 'POST', '/v1/auth/register', { body: { email, password } });
    if (registered !== 201) throw new Error(`register: ${registered} ${text}`);
    const [, , login] = await send(base, 'POST', '/v1/auth/login', { body: { email, password } });
    const token = JSON.parse(login).token;
    const [created, , key] = await send(base, 'POST', '/v1/api-keys', { token, body: { name: 'bench', scope: 'read_write' } });
    if (created !== 201) throw new Error(`create key: ${created} ${key}`);
    const secret = JSON.parse(key).secret;
    for (let t = 0; t < 20; t++) await send(base, 'POST', '/v1/trades', { token: secret, body: trade() });
    users.push({ token, key: secret, spare: [] });
  }
  return users;
}

let tradeCounter = 0;
const trade = () => ({
  symbol: 'AAPL',
  side: tradeCounter % 2 ? 'buy' : 'sell',
  quantity: 1 + (tradeCounter % 7),
  price: 180 + (tradeCounter++ % 20),
  executedAt: new Date().toISOString(),
});

/** One operation of the mix: 90% key-checked read, 8% journal write, 2% key management (sessions). */
function operation(base, users) {
  const user = users[Math.floor(Math.random() * users.length)];
  const roll = Math.random();
  if (roll < 0.9) return send(base, 'GET', '/v1/trades?limit=20', { token: user.key });
  if (roll < 0.98) return send(base, 'POST', '/v1/trades', { token: user.key, body: trade() });
  // Key management: make a key, list the keys, revoke the oldest spare (a third each).
  const pick = Math.random();
  if (pick < 1 / 3 || user.spare.length === 0) {
    return send(base, 'POST', '/v1/api-keys', { token: user.token, body: { name: 'bench spare', scope: 'read' } }).then((answer) => {
      if (answer[0] === 201) user.spare.push(JSON.parse(answer[2]).apiKey.id);
      return answer;
    });
  }
  if (pick < 2 / 3) return send(base, 'GET', '/v1/api-keys?limit=20', { token: user.token });
  return send(base, 'DELETE', `/v1/api-keys/${user.spare.shift()}`, { token: user.token });
}

/** Runs the mix on CONNECTIONS concurrent loops until `done()` says stop. */
async function traffic(base, users, done) {
  const latencies = [];
  const failures = new Map();
  let count = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (!done()) {
        const [status, ms] = await operation(base, users);
        count++;
        latencies.push(ms);
        if (status < 200 || status >= 300) failures.set(status, (failures.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    count,
    seconds,
    rps: count / seconds,
    p50: at(0.5),
    p99: at(0.99),
    errors: [...failures.values()].reduce((a, b) => a + b, 0),
    failures: Object.fromEntries(failures),
  };
}

const forSeconds = (seconds) => {
  const until = performance.now() + seconds * 1000;
  return () => performance.now() >= until;
};

const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const mb = (bytes) => `${(bytes / 1048576).toFixed(0)} MB`;
const line = (name, r) =>
  `${name.padEnd(26)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms  ${String(r.count).padStart(7)} requests  errors ${r.errors}${r.errors ? ` ${JSON.stringify(r.failures)}` : ''}`;

await freshDatabase();
say(`${cpus().length} cores; ${CONNECTIONS} connections; warm-up ${WARMUP_SECONDS} s, steady ${SECONDS} s; PostgreSQL ${databaseName}`);
let cluster = await startCluster({ apis: 3, workers: 2, port: PORT, basePort: BASE_PORT, databaseUrl, log: 'quiet', env });
let results;
try {
  const users = await seed(cluster.url);
  await traffic(cluster.url, users, forSeconds(WARMUP_SECONDS)); // JIT, pools, caches, heap size
  // RSS swings by ~15% with each major GC under this load, so one sample before and one after
  // measure the GC phase, not growth: compare the medians of the first and the last 10 s instead.
  const samples = cluster.apis.map(() => []);
  const sampler = setInterval(() => cluster.apis.forEach((a, i) => samples[i].push(rssOf(a.child.pid))), 1000);
  const steady = await traffic(cluster.url, users, forSeconds(SECONDS));
  clearInterval(sampler);
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const window = Math.min(10, Math.max(1, Math.floor(SECONDS / 3)));
  const rssBefore = samples.map((s) => median(s.slice(0, window)));
  const rssAfter = samples.map((s) => median(s.slice(-window)));
  const growth = Math.max(...rssAfter.map((after, i) => (after - rssBefore[i]) / rssBefore[i]));

  let restarting = true;
  const exits = [];
  const rolling = traffic(cluster.url, users, () => !restarting);
  for (const index of cluster.apis.keys()) {
    await new Promise((r) => setTimeout(r, 2000)); // traffic on the full set between restarts
    exits.push(await cluster.restartApi(index));
  }
  await new Promise((r) => setTimeout(r, 2000));
  restarting = false;
  const restart = await rolling;
  // Refused connects are nginx moving on from a stopping API; anything else explains a failure.
  const proxyErrors = cluster.output.filter((l) => l.startsWith('nginx') && !l.includes('(111: Connection refused)'));
  await cluster.stop();

  cluster = await startCluster({ apis: 1, workers: 2, port: PORT, basePort: BASE_PORT, databaseUrl, log: 'quiet', env });
  await traffic(cluster.url, users, forSeconds(Math.min(5, SCALE_SECONDS)));
  const one = await traffic(cluster.url, users, forSeconds(SCALE_SECONDS));
  await cluster.stop();
  cluster = undefined;
  results = { steady, rssBefore, rssAfter, growth, restart, exits, one, proxyErrors };
} finally {
  await cluster?.stop();
  agent.destroy();
}

const { steady, rssBefore, rssAfter, growth, restart, exits, one, proxyErrors } = results;
console.log('');
console.log(line('3 APIs, steady', steady));
console.log(line('3 APIs, rolling restart', restart));
console.log(line('1 API, steady', one));
console.log('');
console.log(
  `API RSS over the steady run (median of the first 10 s -> of the last 10 s): ${rssBefore.map(mb).join(', ')} -> ${rssAfter.map(mb).join(', ')}; largest growth ${(growth * 100).toFixed(1)}% (target < 10%)`,
);
console.log(`errors in the steady run: ${steady.errors} (target 0)`);
console.log(`failed requests during the rolling restart: ${restart.errors} (target 0); API exits ${exits.map((e) => e.code).join(', ')}`);
if (proxyErrors.length) console.log(`nginx during the restart:\n  ${proxyErrors.slice(0, 10).join('\n  ')}`);
console.log(
  `3 APIs / 1 API throughput: ${(steady.rps / one.rps).toFixed(2)} (bounded by ${cpus().length} cores shared with nginx, PostgreSQL, the workers and this load generator)`,
);
const ok = steady.errors === 0 && restart.errors === 0 && growth < 0.1 && exits.every((e) => e.code === 0);
process.exitCode = ok ? 0 : 1;
