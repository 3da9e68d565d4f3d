#!/usr/bin/env node
// `npm run soak`: a trader's integrations on one API, as long as asked. 8 connections read
// `GET /v1/trades?limit=5`, 8 add trades with `POST /v1/trades`, and a probe reads one trade every
// 200 ms, all with one key, while a worker sweeps every 2 seconds (usage counting on, as by default).
// Printed per database: requests per second, p50/p99, the longest request, requests over 1 s, the
// probe's stalls, client timeouts, SQLITE_BUSY lines in the logs, and acknowledged writes against
// stored rows (a write stored without its 201 would be a duplicate for a client that retries).
//
//   npm run soak                        60 s on SQLite, then 60 s on PostgreSQL (when it answers)
//   npm run soak -- --seconds 180 --db sqlite --workers 0
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { openDb } from '@tradetally/database';
import { createTestDatabase, pgAnswers } from '@tradetally/database/testing';
import { mixedLoad, startBuiltApi, startBuiltWorker } from '@tradetally/testing';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.SOAK_SECONDS ?? '60' },
    db: { type: 'string', default: 'sqlite,postgres' },
    workers: { type: 'string', default: '1' },
    'sweep-cron': { type: 'string', default: '*/2 * * * * *' },
  },
});
const seconds = Number(values.seconds);
const workers = Number(values.workers);
const say = (message) => console.log(`[soak] ${message}`);

async function soak(kind) {
  if (kind === 'postgres' && !(await pgAnswers())) return say('PostgreSQL does not answer: skipped');
  const database = await createTestDatabase(kind);
  const tag = randomBytes(4).toString('hex');
  const shared = {
    TT_KEY_PEPPER: 'soak-pepper-soak-pepper-soak-pepper-0123',
    QUEUE_PREFIX: `tt-soak-${tag}`,
    RATE_LIMIT_PREFIX: `tt-soak:${tag}:rl`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    DATABASE_URL: database.url,
    LOG_LEVEL: 'warn',
  };
  const api = await startBuiltApi({ databaseUrl: database.url, env: { ...shared, WEB_DIST: '/nonexistent' } });
  const fleet = Array.from({ length: workers }, () => startBuiltWorker({ ...shared, LOG_LEVEL: 'info', SWEEP_CRON: values['sweep-cron'] }));
  try {
    await Promise.all(fleet.map((worker) => worker.ready()));
    const json = async (method, path, body, token) => {
      const response = await fetch(`${api.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };
    const credentials = { email: `soak-${tag}@example.com`, password: 'a long enough password' };
    await json('POST', '/v1/auth/register', credentials);
    const { token } = await json('POST', '/v1/auth/login', credentials);
    const { secret } = await json('POST', '/v1/api-keys', { name: 'soak', scope: 'read_write' }, token);

    say(`${kind}: ${seconds} s, 8 readers + 8 writers + probe, ${workers} worker(s)`);
    const result = await mixedLoad({ url: api.url, key: secret, seconds });

    const db = await openDb(database.url, { migrate: false });
    const rows = await db.query("SELECT notes FROM trades WHERE symbol = 'LOAD'");
    await db.close();
    const stored = new Map();
    for (const { notes } of rows) stored.set(notes, (stored.get(notes) ?? 0) + 1);
    const missing = result.acknowledged.filter((notes) => stored.get(notes) !== 1).length;
    const extra = rows.length - result.acknowledged.length;
    const logs = [api, ...fleet].map((proc) => proc.output.join('')).join('');
    const busy = (logs.match(/SQLITE_BUSY/g) ?? []).length;
    const statuses = Object.entries(result.byStatus)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ');
    say(`${kind}: ${Math.round(result.requests / result.seconds)} req/s over ${result.seconds.toFixed(0)} s (${statuses})`);
    say(`${kind}: p50 ${result.p50} ms, p99 ${result.p99} ms, longest ${result.longest} ms, ${result.over1s} over 1 s, ${result.timeouts} client timeouts`);
    say(`${kind}: probe stalls over 1 s: ${result.probeStalls.length ? result.probeStalls.map((s) => `${s.ms} ms at ${s.at} s`).join(', ') : 'none'}`);
    say(`${kind}: SQLITE_BUSY in the logs: ${busy}`);
    say(
      `${kind}: writes acknowledged ${result.acknowledged.length}, stored ${rows.length}: ${missing} acknowledged but not stored once, ${extra} stored without a 201`,
    );
    return { kind, ...result, busy, missing, extra };
  } finally {
    await Promise.all(fleet.map((worker) => worker.stop()));
    await api.stop();
    await database.drop();
  }
}

let failed = false;
for (const kind of values.db.split(',')) {
  const result = await soak(kind.trim());
  if (result && (result.over1s > 0 || result.timeouts > 0 || result.busy > 0 || result.missing > 0 || result.extra !== 0)) failed = true;
}
process.exit(failed ? 1 : 0);
