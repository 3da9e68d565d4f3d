import type { ProblemDetails } from '@tradetally/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, type TestDatabase, createTestDatabase, startApi } from '../../testing/harness.js';

describe.each(DATABASE_KINDS)('health routes (%s)', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('answers live 200 and ready 200 with a current schema', async () => {
    const api = await startApi(database.url);
    try {
      const live = await api.request('GET', '/v1/health/live');
      expect(live.status).toBe(200);
      expect(live.body).toEqual({ status: 'ok' });
      const ready = await api.request('GET', '/v1/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ok', database: 'ok', schema: 'current' });
    } finally {
      await api.close();
    }
  });

  it('answers ready 503 service_unavailable with Retry-After while a migration is missing, and live 200 all the same', async () => {
    const api = await startApi(database.url);
    try {
      // As if this build were newer than the database: the last migration is not recorded.
      await api.db.query('DELETE FROM migrations WHERE id = (SELECT MAX(id) FROM migrations)');
      const ready = await api.request<ProblemDetails>('GET', '/v1/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('content-type')).toContain('application/problem+json');
      expect(ready.headers.get('retry-after')).toBe('5');
      expect(ready.body.code).toBe('service_unavailable');
      expect(ready.body.detail).toMatch(/schema is not current \(1 migration/);
      expect((await api.request('GET', '/v1/health/live')).status).toBe(200);
    } finally {
      await api.close();
    }
  });
});
