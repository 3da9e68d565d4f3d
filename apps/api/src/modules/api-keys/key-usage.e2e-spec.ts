import type { UsageResponse } from '@tradetally/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageCounter } from '../../common/usage-counter.service.js';
import { DATABASE_KINDS, type TestApi, type TestDatabase, createTestDatabase, startApi } from '../../testing/harness.js';

describe.each(DATABASE_KINDS)('usage counts on %s', (kind) => {
  let database: TestDatabase;
  let a: TestApi;
  let b: TestApi;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    a = await startApi(database.url, { USAGE_FLUSH_SECONDS: '1' });
    b = await startApi(database.url, { USAGE_FLUSH_SECONDS: '1' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('counts accepted and rejected uses over two instances exactly, with zero days, and a restart adds nothing twice', async () => {
    const { token } = await a.signUp();
    const { apiKey, secret } = await a.createKey(token, { scope: 'read' });
    const N = 23;
    const M = 7;
    for (let i = 0; i < N; i++) expect((await (i % 2 ? a : b).request('GET', '/v1/trades?limit=1', { token: secret })).status).toBe(200);
    for (let i = 0; i < M; i++) expect((await (i % 2 ? a : b).request('POST', '/v1/trades', { token: secret, body: {} })).body.code).toBe('insufficient_scope');
    const usage = async () => (await a.request<UsageResponse>('GET', `/v1/api-keys/${apiKey.id}/usage?days=7`, { token })).body.data;
    let days = await usage();
    for (let i = 0; i < 100 && (days.at(-1)?.requests !== N || days.at(-1)?.rejected !== M); i++) {
      await new Promise((r) => setTimeout(r, 100));
      days = await usage();
    }
    expect(days).toHaveLength(7);
    expect(days.at(-1)).toEqual({ date: new Date().toISOString().slice(0, 10), requests: N, rejected: M });
    expect(days.slice(0, 6).every((d) => d.requests === 0 && d.rejected === 0)).toBe(true);
    expect(days.map((d) => d.date)).toEqual([...days.map((d) => d.date)].sort());
    // Stopping an instance flushes what it has; a flush of nothing adds nothing; counts stay exact.
    await b.close();
    b = await startApi(database.url, { USAGE_FLUSH_SECONDS: '1' });
    expect(await b.app.get(UsageCounter).flush()).toBe(0);
    expect((await usage()).at(-1)).toEqual({ date: new Date().toISOString().slice(0, 10), requests: N, rejected: M });
  });

  it('refuses more than 90 days of usage (400 validation_failed)', async () => {
    const { token } = await a.signUp();
    const { apiKey } = await a.createKey(token, { scope: 'read' });
    expect((await a.request('GET', `/v1/api-keys/${apiKey.id}/usage?days=91`, { token })).body.code).toBe('validation_failed');
  });
});
