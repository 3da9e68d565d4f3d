#!/usr/bin/env node
// A smoke test through the reverse proxy, for compose (the GitHub workflow) and `npm run cluster`
// (here): waits until /v1/health/ready answers 200, then registers, signs in, creates a key and
// uses it for a write and a read. Usage: node deploy/smoke.mjs [base URL, default http://127.0.0.1:8080]
const base = (process.argv[2] ?? 'http://127.0.0.1:8080').replace(/\/$/, '');

async function call(method, path, { token, body } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: globalThis.AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function expect(what, answer, status) {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  console.log(`ok  ${what} (${status})`);
  return answer.body;
}

const deadline = Date.now() + Number(process.env.SMOKE_WAIT_SECONDS ?? 180) * 1000;
for (;;) {
  const ready = await call('GET', '/v1/health/ready').catch((error) => ({ status: 0, body: String(error) }));
  if (ready.status === 200) break;
  if (Date.now() > deadline) throw new Error(`not ready in time: ${ready.status} ${JSON.stringify(ready.body)}`);
  await new Promise((r) => setTimeout(r, 2000));
}
console.log(`ok  ${base}/v1/health/ready (200)`);

const email = `smoke-${Date.now()}@example.com`;
const password = 'a long enough password';
expect('register', await call('POST', '/v1/auth/register', { body: { email, password } }), 201);
const { token } = expect('login', await call('POST', '/v1/auth/login', { body: { email, password } }), 200);
const { secret } = expect('create key', await call('POST', '/v1/api-keys', { token, body: { name: 'smoke', scope: 'read_write' } }), 201);
const trade = expect(
  'write a trade with the key',
  await call('POST', '/v1/trades', { token: secret, body: { symbol: 'AAPL', side: 'buy', quantity: 1, price: 190, executedAt: new Date().toISOString() } }),
  201,
);
const page = expect('read trades with the key', await call('GET', '/v1/trades', { token: secret }), 200);
if (!page.data.some((t) => t.id === trade.id)) throw new Error('the trade written with the key is not in the list');
expect('live', await call('GET', '/v1/health/live'), 200);
console.log('smoke test passed');
