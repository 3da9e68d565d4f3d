// The worker benchmark of issue 4: one sweep over 100,000 keys of which 1,000 are due (SQLite), the
// notifications it leads to, and the duplicates found after a second sweep on a second worker.
// Target: at most 30 s, 0 duplicates.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '@tradetally/database';

const TOTAL = Number(process.env.BENCH_KEYS ?? 100_000);
const DUE = Number(process.env.BENCH_DUE ?? 1_000);
const TARGET_MS = 30_000;
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'tt-sweep-'));
const url = `sqlite:${join(dir, 'sweep.sqlite')}`;
const prefix = `tt-bench-sweep-${process.pid}`;

const db = await openDb(url);
const userId = randomUUID();
await db.query('INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)', [userId, 'bench@example.com', 'x', new Date()]);
// Due: made 40 days ago, expiring in 1..6 days (the 7-day window). Not due: made 10 days ago, expiring in 100+ days or never.
const uuid =
  "lower(printf('%s-%s-4%s-8%s-%s', hex(randomblob(4)), hex(randomblob(2)), substr(hex(randomblob(2)), 2), substr(hex(randomblob(2)), 2), hex(randomblob(6))))";
const started = Date.now();
await db.query(
  `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${TOTAL})
   INSERT INTO api_keys (id, user_id, name, scope, environment, prefix, last4, key_hash, created_at, expires_at)
   SELECT ${uuid}, '${userId}', 'bench ' || n, 'read', 'live', 'tt_live_bnch', 'bnch', lower(hex(randomblob(32))),
          strftime('%Y-%m-%d %H:%M:%f', 'now', CASE WHEN n <= ${DUE} THEN '-40 days' ELSE '-10 days' END),
          CASE WHEN n <= ${DUE} THEN strftime('%Y-%m-%d %H:%M:%f', 'now', '+' || (1 + n % 6) || ' days')
               WHEN n % 2 = 0 THEN NULL ELSE strftime('%Y-%m-%d %H:%M:%f', 'now', '+' || (100 + n % 200) || ' days') END
   FROM seq`,
);
console.log(`seeded ${TOTAL.toLocaleString('en')} keys (${DUE.toLocaleString('en')} due) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

function worker(name) {
  const output = [];
  const child = spawn(process.execPath, [join(root, 'dist/main.js')], {
    env: { ...process.env, DATABASE_URL: url, QUEUE_PREFIX: prefix, SWEEP_CRON: '0 0 0 1 1 *', LOG_LEVEL: 'info', SMTP_URL: '', WORKER_CONCURRENCY: '10' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.on('data', (d) => output.push(d.toString()));
  const sweepMs = () => {
    const match = /sweep found due[^{]*(\{.*?\})"/.exec(output.join('').replaceAll('\\"', '"'));
    return match ? JSON.parse(match[1]) : null;
  };
  return { name, child, sweepMs, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))) };
}

const count = async (sql) => Number((await db.query(sql))[0]?.n ?? 0);
const waitFor = async (check, timeoutMs) => {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};

try {
  const t0 = Date.now();
  const a = worker('A');
  const swept = await waitFor(() => a.sweepMs() !== null, 120_000);
  const doneAll = await waitFor(
    async () => (await count("SELECT COUNT(*) AS n FROM notifications WHERE type = 'key_expiring' AND emailed_at IS NOT NULL")) >= DUE,
    120_000,
  );
  const endToEnd = Date.now() - t0;
  const reportA = a.sweepMs();
  const b = worker('B');
  await waitFor(() => b.sweepMs() !== null, 120_000);
  await new Promise((r) => setTimeout(r, 3000)); // let anything B enqueued run
  const reportB = b.sweepMs();
  const notifications = await count("SELECT COUNT(*) AS n FROM notifications WHERE type = 'key_expiring'");
  const distinct = await count("SELECT COUNT(DISTINCT api_key_id) AS n FROM notifications WHERE type = 'key_expiring'");
  const audits = await count("SELECT COUNT(*) AS n FROM audit_events WHERE type = 'key.reminder_sent'");
  const duplicates = notifications - distinct + (audits - distinct);
  await a.stop();
  await b.stop();
  const pass = swept && doneAll && endToEnd <= TARGET_MS && duplicates === 0 && notifications === DUE;
  console.log(`Sweep benchmark (SQLite, ${TOTAL.toLocaleString('en')} keys, ${DUE.toLocaleString('en')} due, e-mails to the log)`);
  console.log(
    `  worker A: sweep ${reportA?.ms ?? '?'} ms (found ${reportA?.expiryReminders ?? '?'} reminders due); sweep + ${DUE.toLocaleString('en')} reminders processed and e-mailed: ${(endToEnd / 1000).toFixed(1)} s (target <= ${TARGET_MS / 1000} s)`,
  );
  console.log(
    `  notifications made: ${notifications.toLocaleString('en')} for ${distinct.toLocaleString('en')} keys; audit events: ${audits.toLocaleString('en')}`,
  );
  console.log(
    `  worker B: second sweep ${reportB?.ms ?? '?'} ms, found ${reportB?.expiryReminders ?? '?'} still due; duplicates after it: ${duplicates} (target 0)`,
  );
  console.log(`  ${pass ? 'PASS' : 'FAIL'}`);
  if (!pass) process.exitCode = 1;
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
