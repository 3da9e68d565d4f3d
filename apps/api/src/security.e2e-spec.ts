import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CreateApiKeyResponse, RotateApiKeyResponse } from '@tradetally/contracts';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DATABASE_KINDS, type TestApi, type TestDatabase, useTestApi } from './testing/harness.js';

/** Every byte the database holds, as text: the SQLite files on disk, or every PostgreSQL row. */
async function databaseText(api: TestApi, database: TestDatabase): Promise<string> {
  if (database.file) {
    await api.db.query('PRAGMA wal_checkpoint(FULL)').catch(() => undefined);
    const dir = dirname(database.file);
    return readdirSync(dir)
      .map((name) => readFileSync(join(dir, name)).toString('latin1'))
      .join('\n');
  }
  const tables = await api.db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  let text = '';
  for (const { table_name } of tables) text += JSON.stringify(await api.db.query(`SELECT * FROM "${table_name}"`));
  return text;
}

/** Everything stored in Redis under this API's queue prefix (job names, payloads, options). */
async function queueText(prefix: string): Promise<string> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const keys = await redis.keys(`${prefix}:*`);
    let text = keys.join('\n');
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'hash') text += JSON.stringify(await redis.hgetall(key));
      else if (type === 'string') text += await redis.get(key);
      else if (type === 'list') text += JSON.stringify(await redis.lrange(key, 0, -1));
      else if (type === 'zset') text += JSON.stringify(await redis.zrange(key, 0, -1));
      else if (type === 'set') text += JSON.stringify(await redis.smembers(key));
    }
    return text;
  } finally {
    redis.disconnect();
  }
}

describe.each(DATABASE_KINDS)('no raw key is ever stored or logged, on %s', (kind) => {
  const queuePrefix = `tt-sec-${Math.random().toString(36).slice(2, 8)}`;
  const suite = useTestApi(kind, { QUEUE_PREFIX: queuePrefix });

  it('keeps no raw key in the database, the queue, the log or any error after a full key life', async () => {
    const { token } = await suite.api.signUp();
    const secrets: string[] = [];
    const created = await suite.api.request<CreateApiKeyResponse>('POST', '/v1/api-keys', { token, body: { name: 'life', scope: 'read_write' } });
    secrets.push(created.body.secret);
    const responses: string[] = [];
    // Use it, including the ways a careless client might put it where logs look.
    responses.push((await suite.api.request('GET', '/v1/trades?limit=1', { token: created.body.secret })).text);
    responses.push((await suite.api.request('GET', `/v1/trades?api_key=${created.body.secret}`, { token: created.body.secret })).text);
    responses.push((await suite.api.request('POST', '/v1/trades', { token: created.body.secret, body: { [created.body.secret]: 1 } })).text);
    responses.push(
      (
        await suite.api.request('POST', '/v1/trades', {
          token: created.body.secret,
          body: { symbol: created.body.secret, side: 'buy', quantity: 1, price: 1, executedAt: 'x' },
        })
      ).text,
    );
    responses.push((await suite.api.request('GET', '/v1/trades', { headers: { 'x-api-key': `${created.body.secret.slice(0, -1)}x` } })).text);
    // Rotate with grace (a delayed job is enqueued), rotate again, revoke, then report a leak.
    const rotated = await suite.api.request<RotateApiKeyResponse>('POST', `/v1/api-keys/${created.body.apiKey.id}/rotate`, {
      token,
      body: { gracePeriodMinutes: 30 },
    });
    secrets.push(rotated.body.secret);
    const rotatedAgain = await suite.api.request<RotateApiKeyResponse>('POST', `/v1/api-keys/${rotated.body.apiKey.id}/rotate`, { token, body: {} });
    secrets.push(rotatedAgain.body.secret);
    await suite.api.request('DELETE', `/v1/api-keys/${rotated.body.apiKey.id}`, { token });
    const leaked = await suite.api.createKey(token);
    secrets.push(leaked.secret);
    responses.push(
      (
        await suite.api.request('POST', '/v1/leaks', {
          body: { text: `oops ${leaked.secret} and ${created.body.secret}`, url: `https://paste.example/?q=${leaked.secret}`, source: 'paste' },
        })
      ).text,
    );
    responses.push((await suite.api.request('GET', '/v1/audit-events?limit=200', { token })).text);
    responses.push((await suite.api.request('GET', '/v1/notifications', { token })).text);
    responses.push((await suite.api.request('GET', '/v1/api-keys', { token })).text);
    // Request lines are written in the order responses finish: once a marker request's own line is
    // in, every line before it is too (a fixed sleep would only hope so).
    const marker = `/v1/log-marker-${randomBytes(4).toString('hex')}`;
    await suite.api.request('GET', marker);
    await expect.poll(() => suite.api.logs.join('').includes(marker), { timeout: 10_000 }).toBe(true);

    expect(secrets).toHaveLength(4);
    const stored = await databaseText(suite.api, suite.database);
    const queued = await queueText(queuePrefix);
    const logged = suite.api.logs.join('');
    expect(stored).toContain(created.body.apiKey.prefix); // the scan does read the key rows
    expect(queued).toContain(created.body.apiKey.id); // and the queue's finish-rotation job
    expect(logged).toContain('/v1/trades'); // and the request log
    for (const secret of secrets) {
      const random = secret.slice(8, 40);
      expect(stored.includes(random), 'database holds a raw key').toBe(false);
      expect(queued.includes(random), 'queue holds a raw key').toBe(false);
      expect(logged.includes(random), 'log holds a raw key').toBe(false);
      for (const body of responses) expect(body.includes(random), 'a response echoed a raw key').toBe(false);
    }
  });
});
