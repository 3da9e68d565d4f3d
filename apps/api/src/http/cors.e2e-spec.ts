import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, type TestDatabase, createTestDatabase, startApi } from '../testing/harness.js';

describe('CORS', () => {
  let database: TestDatabase;
  let api: TestApi;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    api = await startApi(database.url, { CORS_ORIGINS: 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba,https://journal.example' });
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  it('echoes CORS only to the page, the pinned extension and CORS_ORIGINS', async () => {
    const allowed = async (origin: string) =>
      (await fetch(`${api.url}/v1/leaks`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })).headers.get(
        'access-control-allow-origin',
      );
    expect(await allowed('chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba')).toBe('chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba');
    expect(await allowed('https://journal.example')).toBe('https://journal.example');
    expect(await allowed('chrome-extension://aaaabbbbccccddddaaaabbbbccccdddd')).toBeNull();
    expect(await allowed('https://evil.example')).toBeNull();
  });
});
