import { randomUUID } from 'node:crypto';
import { type ApiKey, type Page, type SelfRotateResponse, generateApiKey, parseApiKey } from '@tradetally/contracts';
import { type ApiKeyRecord, ApiKeysRepository, type KeyHasher } from '@tradetally/database';
import { apiKeyRecord } from '@tradetally/database/testing';
import { describe, expect, it } from 'vitest';
import { KEY_HASHER } from '../../common/tokens.js';
import { DATABASE_KINDS, type TestApi, useTestApi } from '../../testing/harness.js';

const ROTATORS = 8;
const TRIALS = 20;

/** Self-rotates with `secret` (grace 60 minutes, so each predecessor stays active in its grace). */
function selfRotate(api: TestApi, secret: string) {
  return api.request<SelfRotateResponse>('POST', '/v1/api-keys/self/rotate', { token: secret, body: { gracePeriodMinutes: 60 } });
}

/** The owner's active keys, as the owner's session lists them. */
async function activeKeys(api: TestApi, token: string): Promise<ApiKey[]> {
  const page = await api.request<Page<ApiKey>>('GET', '/v1/api-keys?status=active&limit=100', { token });
  expect(page.status).toBe(200);
  return page.body.data;
}

describe.each(DATABASE_KINDS)('leak reports of a lineage on %s', (kind) => {
  // No rotation limit here: the race must be as fast as the attacker can make it.
  const suite = useTestApi(kind, { SELF_ROTATE_PER_HOUR: '100000' });

  it(`leaves no key of a reported lineage active while ${ROTATORS} clients self-rotate in a loop (${TRIALS} trials)`, async () => {
    const survivors: number[] = [];
    let rotationsSeen = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const { token } = await suite.api.signUp();
      const root = await suite.api.createKey(token, { name: `race ${trial}`, selfRotate: true });
      // The attacker's clients share the newest secret any of them got.
      let newest = root.secret;
      let stop = false;
      let rotations = 0;
      let chainStarted!: () => void;
      const started = new Promise<void>((resolve) => (chainStarted = resolve));
      const rotator = async () => {
        while (!stop) {
          const answer = await selfRotate(suite.api, newest);
          if (answer.status === 201) {
            newest = answer.body.secret;
            if (++rotations === 2) chainStarted();
          } else expect([401, 409]).toContain(answer.status);
        }
      };
      const running = Array.from({ length: ROTATORS }, rotator);
      await started;
      const report = await suite.api.request('POST', '/v1/leaks', { body: { key: root.secret, source: 'manual' } });
      expect(report.status).toBe(202);
      stop = true;
      await Promise.all(running);
      rotationsSeen += rotations;
      survivors.push((await activeKeys(suite.api, token)).length);
      expect((await suite.api.request('GET', '/v1/trades', { token: newest })).body).toMatchObject({ code: 'api_key_revoked' });
    }
    expect(survivors).toEqual(Array(TRIALS).fill(0));
    expect(rotationsSeen).toBeGreaterThanOrEqual(2 * TRIALS);
  });

  it('a report of a middle key revokes its predecessors in grace and its successors, and nothing of another lineage', async () => {
    const { token } = await suite.api.signUp();
    const root = await suite.api.createKey(token, { name: 'chain', selfRotate: true });
    const chain = [{ id: root.apiKey.id, secret: root.secret }];
    for (let i = 0; i < 3; i++) {
      const rotated = await selfRotate(suite.api, chain[chain.length - 1]!.secret);
      expect(rotated.status).toBe(201);
      chain.push({ id: rotated.body.apiKey.id, secret: rotated.body.secret });
    }
    const other = await suite.api.createKey(token, { name: 'other' });
    const report = await suite.api.request<{ revoked: string[] }>('POST', '/v1/leaks', { token, body: { key: chain[1]!.secret, source: 'manual' } });
    expect(report.body.revoked.sort()).toEqual(chain.map((k) => k.id).sort());
    for (const { id } of chain) {
      expect((await suite.api.request<ApiKey>('GET', `/v1/api-keys/${id}`, { token })).body).toMatchObject({
        status: 'revoked',
        revokeReason: 'leak_reported',
      });
    }
    expect((await activeKeys(suite.api, token)).map((k) => k.id)).toEqual([other.apiKey.id]);
  });

  it('a session rotation’s successor starts its own lineage: reporting the predecessor leaves it working', async () => {
    const { token } = await suite.api.signUp();
    const first = await suite.api.createKey(token, { name: 'owner rotates', selfRotate: true });
    const rotated = await suite.api.request<{ apiKey: ApiKey; secret: string }>('POST', `/v1/api-keys/${first.apiKey.id}/rotate`, {
      token,
      body: { gracePeriodMinutes: 60 },
    });
    expect(rotated.status).toBe(201);
    await suite.api.request('POST', '/v1/leaks', { body: { key: first.secret, source: 'manual' } });
    expect((await suite.api.request<ApiKey>('GET', `/v1/api-keys/${first.apiKey.id}`, { token })).body.status).toBe('revoked');
    expect((await suite.api.request('GET', '/v1/trades', { token: rotated.body.secret })).status).toBe(200);
  });

  it('a report of a 1,000-key lineage takes no longer than 1.5x a report of a lone key', async () => {
    const { userId } = await suite.api.signUp();
    const keys = suite.api.app.get(ApiKeysRepository);
    const hasher = suite.api.app.get<KeyHasher>(KEY_HASHER);
    /** Stores a lineage of `length` keys (all rotated and revoked but the newest) directly; answers its root's secret. */
    const storeLineage = async (length: number): Promise<string> => {
      const secret = generateApiKey('live');
      const parts = parseApiKey(secret)!;
      const now = Date.now();
      const rows: ApiKeyRecord[] = [];
      for (let i = 0; i < length; i++) {
        const id = randomUUID();
        const previous = rows[i - 1];
        if (previous) Object.assign(previous, { rotatedToId: id, graceEndsAt: new Date(now - 1000), revokedAt: new Date(now - 1000), revokeReason: 'rotated' });
        rows.push(
          apiKeyRecord({
            id,
            userId,
            name: 'deep',
            prefix: parts.prefix,
            last4: parts.last4,
            keyHash: i === 0 ? hasher.hash(secret) : `stored-${id}`,
            pepperId: hasher.currentId,
            createdAt: new Date(now - (length - i) * 1000),
            rotatedFromId: previous?.id ?? null,
            selfRotate: true,
            madeBySelfRotation: i > 0,
            lineageId: rows[0]?.id ?? id,
          }),
        );
      }
      await suite.api.db.transaction(async (tx) => {
        for (const row of rows) await keys.insert(row, tx);
      });
      return secret;
    };
    const runs = 9;
    const deep: string[] = [];
    const lone: string[] = [];
    for (let i = 0; i < runs; i++) {
      deep.push(await storeLineage(1000));
      lone.push(await storeLineage(1));
    }
    const timed = async (secret: string) => {
      const started = performance.now();
      const answer = await suite.api.request('POST', '/v1/leaks', { body: { key: secret, source: 'manual' } });
      expect(answer.status).toBe(202);
      return performance.now() - started;
    };
    await timed(generateApiKey('live')); // warm-up
    const deepTimes: number[] = [];
    const loneTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      loneTimes.push(await timed(lone[i]!));
      deepTimes.push(await timed(deep[i]!));
    }
    const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    console.log(
      `leak report on ${kind}: 1,000-key lineage ${median(deepTimes).toFixed(2)} ms, lone key ${median(loneTimes).toFixed(2)} ms (medians of ${runs})`,
    );
    expect(median(deepTimes)).toBeLessThanOrEqual(median(loneTimes) * 1.5);
    // Every reported lineage ended revoked, the newest key of each deep one included.
    expect(await keys.page(userId, { activeAt: new Date(), cursor: null, limit: 10 })).toEqual([]);
  });
});
