import { randomBytes } from 'node:crypto';
import { type KeyObject, generateKeyPairSync } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../common/api-error.js';
import { loadConfig } from '../../config.js';
import { GITHUB_KEYS_REFETCH_FLOOR_MS, GITHUB_KEYS_TTL_MS, GithubKeysService } from './github-keys.service.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
afterAll(() => redis.disconnect());

/** One PEM public key per identifier, the same across instances. */
const pems = new Map<string, string>();
const pemOf = (id: string) => {
  if (!pems.has(id)) pems.set(id, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return pems.get(id)!;
};

/** What "GitHub" answers and how often it was asked, shared by every instance of one deployment. */
class FakeGithub {
  fetches = 0;
  /** What the next fetches answer: a list of identifiers, or a failure. */
  listed: string[] | Error = [];
  /** Resolves pending fetches when set (to hold several reports inside one fetch). */
  gate: Promise<void> | null = null;
  clock = Date.now();
}

/** An API instance's service, with GitHub and the clock in the test's hands; instances of one deployment share a prefix. */
class Subject extends GithubKeysService {
  constructor(
    readonly github: FakeGithub,
    prefix: string,
  ) {
    super(loadConfig({ NODE_ENV: 'test', GITHUB_KEYS_URL: 'http://127.0.0.1:9/keys', RATE_LIMIT_PREFIX: prefix }), redis);
  }

  protected override async fetchKeys() {
    this.github.fetches++;
    if (this.github.gate) await this.github.gate;
    if (this.github.listed instanceof Error) throw this.github.listed;
    return { fetchedAt: this.now(), keys: this.github.listed.map((id) => ({ id, pem: pemOf(id) })) };
  }

  protected override now(): number {
    return this.github.clock;
  }
}

/** A deployment of `instances` API instances over one Redis prefix. */
function deployment(instances = 1): { github: FakeGithub; apis: Subject[] } {
  const github = new FakeGithub();
  const prefix = `tt-test:${randomBytes(4).toString('hex')}`;
  return { github, apis: Array.from({ length: instances }, () => new Subject(github, prefix)) };
}

const exported = (key: KeyObject | null) => key?.export({ type: 'spki', format: 'pem' }).toString() ?? null;

describe('GithubKeysService', () => {
  it('fetches once and trusts the list for an hour', async () => {
    const {
      github,
      apis: [keys],
    } = deployment();
    github.listed = ['a'];
    expect(exported(await keys!.publicKey('a'))).toBe(pemOf('a'));
    github.clock += GITHUB_KEYS_TTL_MS - 1;
    expect(exported(await keys!.publicKey('a'))).toBe(pemOf('a'));
    expect(github.fetches).toBe(1);
    github.clock += 1;
    await keys!.publicKey('a');
    expect(github.fetches).toBe(2);
  });

  it('fetches again for an identifier it does not hold (GitHub rotated), once the minute since the last fetch is over', async () => {
    const {
      github,
      apis: [keys],
    } = deployment();
    github.listed = ['a'];
    await keys!.publicKey('a');
    github.listed = ['b', 'a'];
    github.clock += GITHUB_KEYS_REFETCH_FLOOR_MS;
    expect(exported(await keys!.publicKey('b'))).toBe(pemOf('b'));
    expect(github.fetches).toBe(2);
    expect(exported(await keys!.publicKey('b'))).toBe(pemOf('b'));
    expect(github.fetches).toBe(2);
  });

  it('answers null for made-up identifiers, and asks GitHub at most once a minute per deployment, across instances', async () => {
    const { github, apis } = deployment(3);
    github.listed = ['a'];
    await apis[0]!.publicKey('a');
    expect(github.fetches).toBe(1);
    for (let i = 0; i < 30; i++) expect(await apis[i % 3]!.publicKey(`made-up-${i}`)).toBeNull();
    expect(github.fetches).toBe(1);
    // The other instances use the list the first one fetched, without fetching.
    expect(exported(await apis[2]!.publicKey('a'))).toBe(pemOf('a'));
    github.clock += GITHUB_KEYS_REFETCH_FLOOR_MS - 1;
    expect(await apis[1]!.publicKey('made-up-again')).toBeNull();
    expect(github.fetches).toBe(1);
    github.clock += 1;
    expect(await apis[1]!.publicKey('made-up-3')).toBeNull();
    expect(await apis[2]!.publicKey('made-up-4')).toBeNull();
    expect(github.fetches).toBe(2);
  });

  it('shares one fetch among reports that arrive while it runs', async () => {
    const {
      github,
      apis: [keys],
    } = deployment();
    github.listed = ['a', 'b'];
    let open = () => {};
    github.gate = new Promise((done) => (open = done));
    const waiting = [keys!.publicKey('a'), keys!.publicKey('b'), keys!.publicKey('c')];
    open();
    expect((await Promise.all(waiting)).map(exported)).toEqual([pemOf('a'), pemOf('b'), null]);
    expect(github.fetches).toBe(1);
  });

  it('answers 503 service_unavailable when GitHub cannot be reached and no key is held; keeps held keys otherwise', async () => {
    const {
      github,
      apis: [keys],
    } = deployment();
    github.listed = new Error('connect ECONNREFUSED');
    await expect(keys!.publicKey('a')).rejects.toMatchObject({ code: 'service_unavailable' } satisfies Partial<ApiError>);
    github.listed = ['a'];
    github.clock += GITHUB_KEYS_REFETCH_FLOOR_MS;
    await keys!.publicKey('a');
    github.listed = new Error('connect ECONNREFUSED');
    github.clock += GITHUB_KEYS_TTL_MS;
    expect(exported(await keys!.publicKey('a'))).toBe(pemOf('a')); // stale, but GitHub's keys change rarely
    expect(await keys!.publicKey('unknown')).toBeNull();
  });
});
