import { type KeyObject, createHash, generateKeyPairSync, sign } from 'node:crypto';
import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { type ApiKey, type AuditEvent, type GithubReportFeedback, type Notification, type Page, generateApiKey } from '@tradetally/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { APP_CONFIG, REDIS } from '../../common/tokens.js';
import type { AppConfig } from '../../config.js';
import { DATABASE_KINDS, type TestApi, useTestApi } from '../../testing/harness.js';

/** A signing key of "GitHub": its identifier, private half (to sign) and public PEM (to publish). */
interface GithubKey {
  id: string;
  privateKey: KeyObject;
  pem: string;
}

function githubKey(id: string): GithubKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { id, privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

// GitHub's side of the test: a local server publishing `published` at GITHUB_KEYS_URL, in GitHub's
// format, counting how often the API asks.
const github = { published: [] as GithubKey[], fetches: 0 };
const keyServer = createServer((_req, res) => {
  github.fetches++;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ public_keys: github.published.map((k, i) => ({ key_identifier: k.id, key: k.pem, is_current: i === 0 })) }));
});
await new Promise<void>((done) => keyServer.listen(0, '127.0.0.1', done));
const GITHUB_KEYS_URL = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/meta/public_keys/secret_scanning`;
afterAll(() => new Promise<void>((done) => keyServer.close(() => done())));

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A report as GitHub sends it: pretty JSON (so only the exact bytes verify), signed by `key`. */
function signed(tokens: Array<{ token: string; type?: string; url?: string }>, key: GithubKey): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(
    tokens.map(({ token, type = 'tradetally_live_api_key', url = 'https://github.com/octo/repo/blob/abc123/.env' }) => ({
      token,
      type,
      url,
      source: 'content',
    })),
    null,
    2,
  );
  return { body, headers: signatureHeaders(body, key) };
}

function signatureHeaders(body: string, key: GithubKey): Record<string, string> {
  return {
    'Github-Public-Key-Identifier': key.id,
    'Github-Public-Key-Signature': sign('sha256', Buffer.from(body), key.privateKey).toString('base64'),
  };
}

function post(api: TestApi, body: string, headers: Record<string, string>) {
  return api.request<GithubReportFeedback & { code?: string }>('POST', '/v1/leaks/github', { raw: body, contentType: 'application/json', headers });
}

describe.each(DATABASE_KINDS)('GitHub secret scanning reports on %s', (kind) => {
  const suite = useTestApi(kind, { GITHUB_KEYS_URL });
  const current = githubKey('github-key-1');

  beforeAll(() => {
    github.published = [current];
  });

  /** A fresh user's active key; `stillActive` tells whether it still authenticates. */
  async function activeKey() {
    const { token } = await suite.api.signUp();
    const created = await suite.api.createKey(token, { name: 'Broker sync' });
    return { token, ...created, stillActive: async () => (await suite.api.request('GET', '/v1/trades', { token: created.secret })).status === 200 };
  }

  it('revokes the keys in a signed report and answers GitHub’s feedback for every token', async () => {
    const leaked = await activeKey();
    const alreadyRevoked = await activeKey();
    expect((await suite.api.request('DELETE', `/v1/api-keys/${alreadyRevoked.apiKey.id}`, { token: alreadyRevoked.token })).status).toBeLessThan(300);
    const neverIssued = generateApiKey('live');
    const notAKey = 'tt_live_this-is-not-a-key';
    const report = signed(
      [{ token: leaked.secret }, { token: alreadyRevoked.secret }, { token: neverIssued, type: 'tradetally_test_api_key' }, { token: notAKey }],
      current,
    );
    const answer = await post(suite.api, report.body, report.headers);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { token_hash: sha256(leaked.secret), token_type: 'tradetally_live_api_key', label: 'true_positive' },
      { token_hash: sha256(alreadyRevoked.secret), token_type: 'tradetally_live_api_key', label: 'true_positive' },
      { token_hash: sha256(neverIssued), token_type: 'tradetally_test_api_key', label: 'false_positive' },
      { token_hash: sha256(notAKey), token_type: 'tradetally_live_api_key', label: 'false_positive' },
    ]);
    expect(answer.text).not.toContain(leaked.secret);
    expect(await leaked.stillActive()).toBe(false);
    const shown = await suite.api.request<ApiKey>('GET', `/v1/api-keys/${leaked.apiKey.id}`, { token: leaked.token });
    expect(shown.body).toMatchObject({ status: 'revoked', revokeReason: 'leak_reported' });
    const events = await suite.api.request<Page<AuditEvent>>('GET', `/v1/audit-events?apiKeyId=${leaked.apiKey.id}`, { token: leaked.token });
    expect(events.body.data.find((e) => e.type === 'key.leak_reported')).toMatchObject({
      actor: 'leak_report',
      details: { source: 'github', seenAt: 'https://github.com/octo/repo/blob/abc123/.env' },
    });
    const notes = await suite.api.request<Page<Notification>>('GET', '/v1/notifications', { token: leaked.token });
    expect(notes.body.data.find((n) => n.type === 'key_leaked')).toMatchObject({ apiKeyId: leaked.apiKey.id });
  });

  it('fetches GitHub’s keys again when a report names a new identifier (GitHub rotated its key)', async () => {
    // The deployment fetched within the minute (earlier tests): as if that minute were over.
    const { RATE_LIMIT_PREFIX } = suite.api.app.get<AppConfig>(APP_CONFIG);
    await suite.api.app.get<Redis>(REDIS).del(`${RATE_LIMIT_PREFIX}:github-keys:fetched`);
    const before = github.fetches;
    const rotated = githubKey('github-key-2');
    github.published = [rotated, current];
    const key = await activeKey();
    const report = signed([{ token: key.secret }], rotated);
    const answer = await post(suite.api, report.body, report.headers);
    expect(answer.status).toBe(200);
    expect(answer.body[0]?.label).toBe('true_positive');
    expect(github.fetches).toBe(before + 1);
    expect(await key.stillActive()).toBe(false);
    // The old key stays good while GitHub still lists it.
    const again = signed([{ token: generateApiKey('live') }], current);
    expect((await post(suite.api, again.body, again.headers)).status).toBe(200);
    expect(github.fetches).toBe(before + 1);
  });

  it('answers 401 invalid_signature and revokes nothing for an identifier GitHub does not list', async () => {
    const key = await activeKey();
    const report = signed([{ token: key.secret }], githubKey('not-listed'));
    const answer = await post(suite.api, report.body, report.headers);
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('invalid_signature');
    expect(answer.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await key.stillActive()).toBe(true);
  });

  it('answers 401 invalid_signature and revokes nothing for a wrong, missing or garbled signature, or a body changed after signing', async () => {
    const key = await activeKey();
    const report = signed([{ token: key.secret }], current);
    const impostor = { ...githubKey(current.id) }; // GitHub's identifier, someone else's private key
    const changed = report.body.replace('"source": "content"', '"source": "commit"');
    expect(changed).not.toBe(report.body);
    const reordered = JSON.stringify(JSON.parse(report.body)); // same JSON, other bytes
    const cases: Array<[string, string, Record<string, string>]> = [
      ['signed by another key', report.body, signatureHeaders(report.body, impostor)],
      ['body changed after signing', changed, report.headers],
      ['same JSON, other bytes', reordered, report.headers],
      ['no signature headers', report.body, {}],
      ['no signature', report.body, { 'Github-Public-Key-Identifier': current.id }],
      ['no identifier', report.body, { 'Github-Public-Key-Signature': report.headers['Github-Public-Key-Signature']! }],
      ['not base64 DER', report.body, { ...report.headers, 'Github-Public-Key-Signature': 'bm90IGEgc2lnbmF0dXJl' }],
    ];
    for (const [what, body, headers] of cases) {
      const answer = await post(suite.api, body, headers);
      expect(answer.status, what).toBe(401);
      expect(answer.body.code, what).toBe('invalid_signature');
    }
    expect(await key.stillActive()).toBe(true);
  });

  it('refuses a malformed report, even a signed one, with problem details and revokes nothing', async () => {
    const key = await activeKey();
    const malformed = [
      JSON.stringify({ token: key.secret, type: 't', url: 'u', source: 's' }), // not an array
      JSON.stringify([{ token: key.secret, type: 'tradetally_live_api_key' }]), // fields missing
      `[{"token": "${key.secret}"`, // not JSON
    ];
    for (const body of malformed) {
      const answer = await post(suite.api, body, signatureHeaders(body, current));
      expect(answer.status, body.slice(0, 20)).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
      expect(answer.text).not.toContain(key.secret);
    }
    const huge = JSON.stringify([{ token: key.secret, type: 'x'.repeat(1024 * 1024), url: '', source: 'content' }]);
    const tooLarge = await post(suite.api, huge, signatureHeaders(huge, current));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe('payload_too_large');
    expect(await key.stillActive()).toBe(true);
  });
});
