import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GithubReportFeedback } from '@tradetally/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS, useTestApi } from '../../testing/harness.js';

// GitHub's published example ("Secret scanning partner program", "Implement signature
// verification"): its example key, its sample payload, and the signature GitHub published for it.
const EXAMPLE_KEY_ID = '90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a';
const EXAMPLE_KEY = [
  '-----BEGIN PUBLIC KEY-----',
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE9MJJHnMfn2+H4xL4YaPDA4RpJqUq',
  'kCmRCBnYERxZanmcpzQSXs1X/AljlKkbJ8qpVIW4clayyef9gWhFbNHWAA==',
  '-----END PUBLIC KEY-----',
  '',
].join('\n');
const EXAMPLE_PAYLOAD = '[{"token":"some_token","type":"some_type","url":"some_url"}]';
const EXAMPLE_SIGNATURE = 'MEUCIQDKZokqnCjrRtw0tni+2Ltvl/uiMJ1EGumEsp1BsNr32AIgQY1YXD2nlj+XNfGK4rBfkMJ1JDOQcYXxa2sY8FNkrKc=';

// A second key of our own, for payloads GitHub did not publish (fields GitHub may add later).
const own = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const OWN_ID = 'own-test-key';

// GitHub's key list, served locally at GITHUB_KEYS_URL in GitHub's format.
const keyServer = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({
      public_keys: [
        { key_identifier: EXAMPLE_KEY_ID, key: EXAMPLE_KEY, is_current: true },
        { key_identifier: OWN_ID, key: own.publicKey.export({ type: 'spki', format: 'pem' }).toString(), is_current: false },
      ],
    }),
  );
});
await new Promise<void>((done) => keyServer.listen(0, '127.0.0.1', done));
const GITHUB_KEYS_URL = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/meta/public_keys/secret_scanning`;
afterAll(() => new Promise<void>((done) => keyServer.close(() => done())));

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe.each(DATABASE_KINDS)('GitHub payloads as GitHub sends them on %s (security.md "The API, round two")', (kind) => {
  const suite = useTestApi(kind, { GITHUB_KEYS_URL });
  const post = (body: string, id: string, signature: string) =>
    suite.api.request<GithubReportFeedback & { code?: string }>('POST', '/v1/leaks/github', {
      raw: body,
      contentType: 'application/json',
      headers: { 'Github-Public-Key-Identifier': id, 'Github-Public-Key-Signature': signature },
    });

  it('answers GitHub’s published sample (no `source`), signed with its documented example key, 200 with a false_positive label', async () => {
    const answer = await post(EXAMPLE_PAYLOAD, EXAMPLE_KEY_ID, EXAMPLE_SIGNATURE);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([{ token_hash: sha256('some_token'), token_type: 'some_type', label: 'false_positive' }]);
  });

  it('ignores fields GitHub may add later instead of refusing the report', async () => {
    const body = JSON.stringify([
      { token: 'another_token', type: 'some_type', url: 'https://github.com/o/r', source: 'content', found_at: '2026-01-01', extra: { a: 1 } },
    ]);
    const answer = await post(body, OWN_ID, sign('sha256', Buffer.from(body), own.privateKey).toString('base64'));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([{ token_hash: sha256('another_token'), token_type: 'some_type', label: 'false_positive' }]);
  });
});
