import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApi, type TestDatabase, createTestDatabase, startApi } from '../../testing/harness.js';

// GitHub's key list served locally, counting every fetch and the Authorization header it came with.
const github = { fetches: 0, authorization: [] as Array<string | undefined> };
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keyServer = createServer((req, res) => {
  github.fetches++;
  github.authorization.push(req.headers.authorization);
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({ public_keys: [{ key_identifier: 'real', key: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(), is_current: true }] }),
  );
});
await new Promise<void>((done) => keyServer.listen(0, '127.0.0.1', done));
const GITHUB_KEYS_URL = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/meta/public_keys/secret_scanning`;
afterAll(() => new Promise<void>((done) => keyServer.close(() => done())));

describe('GitHub’s signing keys are fetched at most once a minute per deployment (security.md "The API, round two")', () => {
  let database: TestDatabase;
  const apis: TestApi[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    // Two instances of one deployment: one Redis prefix, as RATE_LIMIT_PREFIX's docs require.
    const env = { GITHUB_KEYS_URL, RATE_LIMIT_PREFIX: `tt-test:${randomBytes(4).toString('hex')}:rl`, GITHUB_TOKEN: 'ghp_test-token-for-the-keys-endpoint' };
    apis.push(await startApi(database.url, env), await startApi(database.url, env));
  });
  afterAll(async () => {
    for (const api of apis) await api.close();
    await database?.drop();
  });

  const report = (api: TestApi, identifier: string, privateKey = key.privateKey) => {
    const body = JSON.stringify([{ token: 'not_a_key', type: 't', url: '' }]);
    return api.request('POST', '/v1/leaks/github', {
      raw: body,
      contentType: 'application/json',
      headers: { 'Github-Public-Key-Identifier': identifier, 'Github-Public-Key-Signature': sign('sha256', Buffer.from(body), privateKey).toString('base64') },
    });
  };

  it('serves two instances and 40 made-up identifiers with one fetch, sent with GITHUB_TOKEN', async () => {
    expect((await report(apis[0]!, 'real')).status).toBe(200);
    expect((await report(apis[1]!, 'real')).status).toBe(200);
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    for (let i = 0; i < 40; i++) expect((await report(apis[i % 2]!, `made-up-${i}`, stranger)).status).toBe(401);
    expect(github.fetches).toBe(1);
    expect(github.authorization).toEqual(['Bearer ghp_test-token-for-the-keys-endpoint']);
    // The token is a secret: it reaches no log.
    for (const api of apis) expect(api.logs.join('')).not.toContain('ghp_test-token');
  });
});
