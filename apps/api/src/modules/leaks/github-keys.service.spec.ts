import { type KeyObject, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../common/api-error.js';
import { loadConfig } from '../../config.js';
import { GITHUB_KEYS_REFETCH_FLOOR_MS, GITHUB_KEYS_TTL_MS, GithubKeysService } from './github-keys.service.js';

const publicKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;

/** The service with GitHub's list and the clock in the test's hands. */
class Subject extends GithubKeysService {
  clock = 0;
  fetches = 0;
  /** What the next fetches answer: a list of identifiers, or a failure. */
  listed: string[] | Error = [];
  /** Resolves pending fetches when set (to hold several reports inside one fetch). */
  gate: Promise<void> | null = null;
  private readonly made = new Map<string, KeyObject>();

  constructor() {
    super(loadConfig({ NODE_ENV: 'test', GITHUB_KEYS_URL: 'http://127.0.0.1:9/keys' }));
  }

  protected override async fetchKeys(): Promise<Map<string, KeyObject>> {
    this.fetches++;
    if (this.gate) await this.gate;
    if (this.listed instanceof Error) throw this.listed;
    return new Map(this.listed.map((id) => [id, this.keyOf(id)]));
  }

  protected override now(): number {
    return this.clock;
  }

  keyOf(id: string): KeyObject {
    if (!this.made.has(id)) this.made.set(id, publicKey());
    return this.made.get(id)!;
  }
}

describe('GithubKeysService', () => {
  it('fetches once and trusts the list for an hour', async () => {
    const keys = new Subject();
    keys.listed = ['a'];
    expect(await keys.publicKey('a')).toBe(keys.keyOf('a'));
    keys.clock += GITHUB_KEYS_TTL_MS - 1;
    expect(await keys.publicKey('a')).toBe(keys.keyOf('a'));
    expect(keys.fetches).toBe(1);
    keys.clock += 1;
    await keys.publicKey('a');
    expect(keys.fetches).toBe(2);
  });

  it('fetches again for an identifier it does not hold (GitHub rotated), once', async () => {
    const keys = new Subject();
    keys.listed = ['a'];
    await keys.publicKey('a');
    keys.listed = ['b', 'a'];
    keys.clock += 1000;
    expect(await keys.publicKey('b')).toBe(keys.keyOf('b'));
    expect(keys.fetches).toBe(2);
    expect(await keys.publicKey('b')).toBe(keys.keyOf('b'));
    expect(keys.fetches).toBe(2);
  });

  it('answers null for an identifier still unlisted, and asks GitHub at most once per floor', async () => {
    const keys = new Subject();
    keys.listed = ['a'];
    await keys.publicKey('a');
    expect(await keys.publicKey('made-up-1')).toBeNull();
    expect(keys.fetches).toBe(2);
    keys.clock += GITHUB_KEYS_REFETCH_FLOOR_MS - 1;
    expect(await keys.publicKey('made-up-2')).toBeNull();
    expect(keys.fetches).toBe(2);
    keys.clock += 1;
    expect(await keys.publicKey('made-up-3')).toBeNull();
    expect(keys.fetches).toBe(3);
  });

  it('shares one fetch among reports that arrive while it runs', async () => {
    const keys = new Subject();
    keys.listed = ['a', 'b'];
    let open = () => {};
    keys.gate = new Promise((done) => (open = done));
    const waiting = [keys.publicKey('a'), keys.publicKey('b'), keys.publicKey('c')];
    open();
    expect(await Promise.all(waiting)).toEqual([keys.keyOf('a'), keys.keyOf('b'), null]);
    expect(keys.fetches).toBe(1);
  });

  it('answers 503 service_unavailable when GitHub cannot be reached and no key is held; keeps held keys otherwise', async () => {
    const keys = new Subject();
    keys.listed = new Error('connect ECONNREFUSED');
    await expect(keys.publicKey('a')).rejects.toMatchObject({ code: 'service_unavailable' } satisfies Partial<ApiError>);
    keys.listed = ['a'];
    await keys.publicKey('a');
    keys.listed = new Error('connect ECONNREFUSED');
    keys.clock += GITHUB_KEYS_TTL_MS;
    expect(await keys.publicKey('a')).toBe(keys.keyOf('a')); // stale, but GitHub's keys change rarely
    expect(await keys.publicKey('unknown')).toBeNull();
  });
});
