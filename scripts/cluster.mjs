#!/usr/bin/env node
// `npm run cluster`: the compose topology on one machine without containers (operations.md
// "Deployment artefacts"). PostgreSQL and Redis as found on the machine; the migrate command once;
// N API processes and M workers (defaults 3 and 2); nginx from the Debian package in front, with
// its own -c config and -p prefix, on loopback. Ctrl-C stops everything it started.
//
// The steps are the image's (Dockerfile, compose.yaml): `migrate`, then `api` and `worker`
// processes from the same built dist/ folders, behind deploy/nginx.conf's proxy settings.
//
// Also a module: the fleet benchmark imports startCluster() and restarts APIs through it.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const root = new URL('..', import.meta.url).pathname;
const API_MAIN = join(root, 'apps/api/dist/main.js');
const WORKER_MAIN = join(root, 'apps/worker/dist/main.js');
const MIGRATE_MAIN = join(root, 'packages/database/dist/migrate.js');
export const DEFAULT_DATABASE_URL = 'postgres://postgres:postgres@127.0.0.1:5432/tradetally_cluster';

const say = (message) => console.log(`\x1b[36m[cluster]\x1b[0m ${message}`);

/** Creates the database of `url` when PostgreSQL answers but the database does not exist yet. */
export async function ensureDatabase(url) {
  if (!url.startsWith('postgres')) return;
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`will not create a database named ${JSON.stringify(name)}`);
      await client.query(`CREATE DATABASE ${name}`);
      say(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

/** The nginx configuration: loopback only, the API ports as one upstream, X-Forwarded-For passed on. */
export function nginxConfig({ prefix, port, apiPorts }) {
  return `# Written by scripts/cluster.mjs; the same proxy settings as deploy/nginx.conf.
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  client_max_body_size 12m;
  # max_fails=0: a restarting API is never marked down, so the APIs around it are never all
  # "down" at once (nginx would answer 502 "no live upstreams"); a refused connect on loopback
  # costs microseconds, and proxy_next_upstream moves the request on.
  upstream api {
${apiPorts.map((p) => `    server 127.0.0.1:${p} max_fails=0;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # A stopping API refuses new connections: the request goes to the next one. Connections the
      # kernel had queued for it when it closed its listener are reset unread; non_idempotent lets
      # nginx resend those POSTs too. That is safe because a stopping API never resets a request
      # it has read (it answers, or past SHUTDOWN_TIMEOUT_MS answers 503); only a crash mid-request
      # could make a write run twice, which the journal's externalId turns into a 409.
      proxy_next_upstream error timeout non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      # Longer than any request runs, so a slow answer is never mistaken for a dead API and resent.
      proxy_read_timeout 300s;
      proxy_send_timeout 300s;
    }
  }
}
`;
}

/** The nginx binary: NGINX_BIN, else the Debian package's. */
function nginxBinary() {
  for (const candidate of [process.env.NGINX_BIN, '/usr/sbin/nginx', 'nginx']) {
    if (candidate && spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new Error('nginx is not installed: apt-get install nginx (the Debian package; its system service is not used)');
}

async function answers(url) {
  try {
    return (await fetch(url, { signal: globalThis.AbortSignal.timeout(2000) })).status;
  } catch {
    return 0;
  }
}

async function until(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Starts the cluster and resolves once every API is ready and nginx answers.
 * `log`: 'inherit' prints every process's output with its name; 'quiet' keeps it in memory.
 */
export async function startCluster(options = {}) {
  const apis = options.apis ?? 3;
  const workers = options.workers ?? 2;
  const port = options.port ?? 8080;
  const basePort = options.basePort ?? 3101;
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const quiet = options.log === 'quiet';
  const prefix = mkdtempSync(join(tmpdir(), 'tt-cluster-'));
  for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, dir));
  const env = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PUBLIC_URL: process.env.PUBLIC_URL ?? `http://localhost:${port}`,
    // A pepper of this run's own unless the operator gives one: a fixed one in this file would be
    // public, and keys made under it would be checkable by anyone who read it.
    TT_KEY_PEPPER: process.env.TT_KEY_PEPPER ?? (process.env.TT_KEY_PEPPERS ? '' : randomBytes(32).toString('hex')),
    // Production refuses to start a worker without SMTP_URL unless e-mail is turned off on purpose.
    EMAIL_DISABLED: process.env.EMAIL_DISABLED ?? (process.env.SMTP_URL ? 'false' : 'true'),
    ...options.env,
  };
  const children = new Set();
  const output = [];
  let stopping = false;

  const spawnChild = (name, command, args, extraEnv = {}) => {
    // detached: a process group of its own, so Ctrl-C reaches only this script, which stops the
    // APIs and workers first and nginx last (a terminal would signal every process at once).
    const child = spawn(command, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const relay = (data) => {
      for (const line of data.toString().split('\n')) {
        if (!line) continue;
        if (quiet) output.push(`${name} ${line}`);
        else console.log(`\x1b[2m${name.padEnd(8)}\x1b[0m ${line}`);
      }
      if (output.length > 5000) output.splice(0, output.length - 5000);
    };
    child.stdout.on('data', (data) => {
      if (data.toString().includes('worker ready')) child.ready = true;
    });
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    children.add(child);
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (!stopping && !child.expectedExit) {
        const message = `${name} stopped unexpectedly (${signal ?? `exit ${code}`})`;
        if (quiet) output.push(message);
        else console.error(`\x1b[31m[cluster]\x1b[0m ${message}`);
      }
    });
    return child;
  };

  const stopChild = async (child, signal = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
    child.expectedExit = true;
    const exited = once(child, 'exit');
    child.kill(signal);
    const [code, sig] = await exited;
    return { code, signal: sig };
  };

  if (!process.env.TT_KEY_PEPPER && !process.env.TT_KEY_PEPPERS && !options.env?.TT_KEY_PEPPER && !quiet) {
    say('TT_KEY_PEPPER is not set: this run uses a pepper of its own, so keys made in an earlier run no longer verify (set TT_KEY_PEPPER to keep them)');
  }
  await ensureDatabase(databaseUrl);
  const migrated = spawnSync(process.execPath, [MIGRATE_MAIN], { cwd: root, env, encoding: 'utf8' });
  if (migrated.status !== 0) throw new Error(`migrations failed: ${migrated.stderr || migrated.stdout}`);
  if (!quiet) say(migrated.stdout.trim());

  const apiProcs = [];
  const startApi = async (index) => {
    const apiPort = basePort + index;
    const child = spawnChild(`api-${index + 1}`, process.execPath, [API_MAIN], { PORT: String(apiPort), HOST: '127.0.0.1', TRUST_PROXY: '1' });
    apiProcs[index] = { port: apiPort, child };
    await until(`api-${index + 1} on ${apiPort}`, async () => {
      if (child.exitCode !== null) throw new Error(`api-${index + 1} exited:\n${output.slice(-20).join('\n')}`);
      return (await answers(`http://127.0.0.1:${apiPort}/v1/health/ready`)) === 200;
    });
  };
  const workerProcs = [];
  try {
    await Promise.all(Array.from({ length: apis }, (_, i) => startApi(i)));
    for (let i = 0; i < workers; i++) workerProcs.push(spawnChild(`worker-${i + 1}`, process.execPath, [WORKER_MAIN]));
    // Ready means every process handles a stop: a worker signalled before its first line of code
    // runs would end by the signal instead of stopping gracefully.
    await Promise.all(
      workerProcs.map((child, i) =>
        until(`worker-${i + 1}`, () => {
          if (child.exitCode !== null) throw new Error(`worker-${i + 1} exited:\n${output.slice(-20).join('\n')}`);
          return child.ready === true;
        }),
      ),
    );
    writeFileSync(join(prefix, 'nginx.conf'), nginxConfig({ prefix, port, apiPorts: apiProcs.map((a) => a.port) }));
    const nginx = spawnChild('nginx', nginxBinary(), ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr']);
    await until(`nginx on ${port}`, async () => {
      if (nginx.exitCode !== null) throw new Error(`nginx exited:\n${output.slice(-20).join('\n')}`);
      return (await answers(`http://127.0.0.1:${port}/v1/health/ready`)) === 200;
    });

    return {
      url: `http://127.0.0.1:${port}`,
      prefix,
      databaseUrl,
      output,
      apis: apiProcs,
      workers: workerProcs,
      nginx,
      /** Stops API `index` with SIGTERM (graceful), waits for its exit, starts it again and waits until it is ready. */
      async restartApi(index) {
        const exit = await stopChild(apiProcs[index].child);
        await startApi(index);
        return exit;
      },
      /** SIGTERM to every process it started (nginx last, so it keeps answering while APIs drain), then removes its files. */
      async stop() {
        if (stopping) return;
        stopping = true;
        const named = [...apiProcs.map((a, i) => [`api-${i + 1}`, a.child]), ...workerProcs.map((w, i) => [`worker-${i + 1}`, w])];
        const exits = await Promise.all(named.map(async ([name, child]) => ({ name, ...(await stopChild(child)) })));
        await stopChild(nginx, 'SIGQUIT');
        rmSync(prefix, { recursive: true, force: true });
        return exits;
      },
    };
  } catch (error) {
    stopping = true;
    await Promise.all([...children].map((child) => stopChild(child, 'SIGKILL')));
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      apis: { type: 'string', short: 'a', default: process.env.CLUSTER_APIS ?? '3' },
      workers: { type: 'string', short: 'w', default: process.env.CLUSTER_WORKERS ?? '2' },
      port: { type: 'string', short: 'p', default: process.env.CLUSTER_PORT ?? '8080' },
      'base-port': { type: 'string', default: process.env.CLUSTER_BASE_PORT ?? '3101' },
      'no-build': { type: 'boolean', default: process.env.CLUSTER_BUILD === '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'npm run cluster -- [--apis N] [--workers M] [--port 8080] [--base-port 3101] [--no-build]\n' +
        'env: DATABASE_URL (default a tradetally_cluster database on the local PostgreSQL, created if missing), REDIS_URL, CLUSTER_APIS, CLUSTER_WORKERS, CLUSTER_PORT, CLUSTER_BASE_PORT, CLUSTER_BUILD=0, LOG_LEVEL',
    );
    return;
  }
  const count = (name, value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 32) throw new Error(`--${name} must be a whole number from 1 to 32 (got ${value})`);
    return n;
  };
  const apis = count('apis', values.apis);
  const workers = count('workers', values.workers);
  if (!values['no-build']) {
    say('building…');
    const built = spawnSync(join(root, 'node_modules/.bin/turbo'), ['run', 'build', '--output-logs=errors-only'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  let cluster;
  const stop = async () => {
    say('stopping…');
    const exits = (await cluster?.stop()) ?? [];
    const unclean = exits.filter((e) => e.code !== 0);
    say(unclean.length ? `stopped; did not exit 0: ${unclean.map((e) => `${e.name} (${e.signal ?? e.code})`).join(', ')}` : 'stopped: every process exited 0');
    process.exit(unclean.length ? 1 : 0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  cluster = await startCluster({ apis, workers, port: Number(values.port), basePort: Number(values['base-port']) });
  console.log(`
  \x1b[1mTradeTally Keys cluster is running\x1b[0m: ${apis} API(s), ${workers} worker(s), nginx in front
    Through nginx   ${cluster.url}/        (settings page, /v1, /docs)
    Readiness       ${cluster.url}/v1/health/ready
    APIs directly   ${cluster.apis.map((a) => `http://127.0.0.1:${a.port}`).join('  ')}
  Database ${cluster.databaseUrl.replace(/\/\/[^@/]*@/, '//…@')} · Redis ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}
  nginx prefix ${cluster.prefix}
  Press Ctrl-C to stop.
`);
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  main().catch((error) => {
    console.error(`\x1b[31m[cluster]\x1b[0m ${error.message ?? error}`);
    process.exit(1);
  });
}
