// What every API benchmark needs: a free loopback port, the built API started on a database and
// awaited, a JSON call helper and a median. One copy for api, baseline, trust and keys-v2.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** A free TCP port on loopback. */
export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** The median of a list of numbers. */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The pepper every benchmark's API and bare server share. */
export const BENCH_PEPPER = 'benchmark-pepper-benchmark-pepper-benchmark';

/** A JSON call to `base`; throws with the status and body when it is not 2xx. */
export async function call(base, method, path, body, token) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json().catch(() => null);
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Posts `count` one-share AAPL buys a minute apart (the newest now) to `base` with the key `secret`. */
export async function postTrades(base, secret, count) {
  for (let i = 0; i < count; i++) {
    await call(
      base,
      'POST',
      '/v1/trades',
      { symbol: 'AAPL', side: 'buy', quantity: 1, price: 100 + i, executedAt: new Date(Date.now() - i * 60_000).toISOString() },
      secret,
    );
  }
}

/**
 * Starts the built API (dist/main.js) on `databaseUrl` with the benchmark's settings plus `env`,
 * and waits for /v1/health; returns its base URL, process and a stop that waits for the exit.
 */
export async function startBenchApi(databaseUrl, env = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'dist/main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'warn',
      TT_KEY_PEPPER: BENCH_PEPPER,
      RATE_LIMIT_PREFIX: `tt-bench:${port}`,
      QUEUE_PREFIX: `tt-bench-${port}`,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} before it answered`);
    if (
      await fetch(`${base}/v1/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { base, port, child, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error('the API did not start within 30 s');
}
