#!/usr/bin/env node
// `npm start`: the whole product on a fresh clone. Installs what is missing, builds, makes sure Redis
// answers (starting a loopback redis-server when none does and one is installed), then runs the API
// (which serves the settings page) and the worker, prints the URLs, and stops everything on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const children = [];
let stopping = false;

function say(message) {
  console.log(`\x1b[36m[start]\x1b[0m ${message}`);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[start] ${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function needsInstall() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  return statSync(join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs;
}

/** True when a Redis server answers PING at `url` within a second. */
function redisAnswers(url) {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = createConnection({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function start(name, command, args, extraEnv = {}) {
  const child = spawn(command, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'inherit', 'inherit'] });
  children.push({ name, child });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[start] ${name} stopped (${signal ?? `exit ${code}`}); stopping the rest`);
    stop(code ?? 1);
  });
  return child;
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
    process.exit(code);
  }, 5000);
  Promise.all(children.map(({ child }) => (child.exitCode === null ? new Promise((r) => child.on('exit', r)) : null))).then(() => {
    clearTimeout(deadline);
    process.exit(code);
  });
}

async function waitForHealth(url, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && !stopping) {
    try {
      const response = await fetch(`${url}/v1/health`);
      if (response.ok) return (await response.json()).status;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

if (needsInstall()) {
  say('installing dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
say('building…');
run(join(root, 'node_modules', '.bin', 'turbo'), ['run', 'build', '--output-logs=errors-only']);
mkdirSync(join(root, 'data'), { recursive: true });

const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!(await redisAnswers(redisUrl))) {
  const { hostname, port } = new URL(redisUrl);
  const loopback = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(hostname);
  const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (loopback && hasRedis) {
    say(`no Redis at ${redisUrl}: starting redis-server on 127.0.0.1:${port || 6379} (kept in memory only)`);
    start('redis-server', 'redis-server', ['--port', port || '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning']);
    for (let i = 0; i < 40 && !(await redisAnswers(redisUrl)); i++) await new Promise((r) => setTimeout(r, 100));
  } else {
    say(`no Redis at ${redisUrl} and none to start: the API runs degraded and the worker waits for Redis`);
  }
}

const port = env.PORT ?? '3000';
const apiUrl = `http://localhost:${port}`;
start('api', process.execPath, [join(root, 'apps/api/dist/main.js')]);
start('worker', process.execPath, [join(root, 'apps/worker/dist/main.js')]);
const status = await waitForHealth(apiUrl);
if (status) {
  console.log(`
  \x1b[1mTradeTally Keys is running\x1b[0m (${status})
    Settings page   ${apiUrl}/
    API             ${apiUrl}/v1
    API docs        ${apiUrl}/docs
    Health          ${apiUrl}/v1/health
  Database ${env.DATABASE_URL ?? 'sqlite:./data/tradetally.sqlite'} · Redis ${redisUrl}
  Press Ctrl-C to stop.
`);
} else if (!stopping) {
  console.error('[start] the API did not answer within 30 s');
  stop(1);
}
