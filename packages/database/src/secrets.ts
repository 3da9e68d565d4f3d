import { type KeyObject, createHash, createHmac, createSecretKey } from 'node:crypto';

/**
 * The server side of the key format (key-format.md "Storage"), in the one package the API and the
 * worker both import: how secrets are stored. Browser code never needs it, so it is not in
 * @tradetally/contracts (whose bundle must stay free of node:crypto).
 */

/**
 * The stored form of a random bearer secret (session tokens, e-mail confirmation tokens): SHA-256
 * in hex. The secrets carry 256 bits of their own, so neither a pepper nor a slow hash adds
 * anything.
 */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** One pepper of TT_KEY_PEPPERS: its id (stored beside each hash) and its secret. */
export interface Pepper {
  id: string;
  secret: string;
}

/** Shortest pepper secret accepted. */
export const MIN_PEPPER_LENGTH = 32;

/**
 * Parses `TT_KEY_PEPPERS` (`id:secret,id:secret,…`, current first). Throws a message fit to follow
 * the variable's name. Ids are short words; secrets are at least 32 characters and may hold `:`.
 */
export function parsePeppers(value: string): Pepper[] {
  const peppers = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const colon = item.indexOf(':');
      const id = colon > 0 ? item.slice(0, colon) : '';
      const secret = colon > 0 ? item.slice(colon + 1) : '';
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error('each entry is id:secret, with an id of 1..32 letters, digits, - or _');
      if (secret.length < MIN_PEPPER_LENGTH) throw new Error(`the secret of pepper "${id}" must be at least ${MIN_PEPPER_LENGTH} characters`);
      return { id, secret };
    });
  if (peppers.length === 0) throw new Error('give at least one id:secret');
  if (new Set(peppers.map((p) => p.id)).size !== peppers.length) throw new Error('pepper ids must be distinct');
  return peppers;
}

/** The stored form of an API key: `HMAC-SHA256(pepper, key)` in lowercase hex, with the pepper's id beside it. */
export class KeyHasher {
  private readonly keys: ReadonlyArray<{ id: string; key: KeyObject }>;

  /** `peppers`: current first, then older ones still accepted. */
  constructor(peppers: readonly Pepper[]) {
    if (peppers.length === 0) throw new Error('KeyHasher needs at least one pepper');
    // Each pepper is imported as a key object once, not on every check.
    this.keys = peppers.map((p) => ({ id: p.id, key: createSecretKey(Buffer.from(p.secret, 'utf8')) }));
  }

  /** The id new hashes are made with. */
  get currentId(): string {
    return this.keys[0]!.id;
  }

  /** Every pepper id, current first. */
  get ids(): string[] {
    return this.keys.map((k) => k.id);
  }

  /** The hash of `key` under the current pepper. */
  hash(key: string): string {
    return createHmac('sha256', this.keys[0]!.key).update(key, 'utf8').digest('hex');
  }

  /** The hash of `key` under every pepper, current first: a check looks them all up in one query. */
  candidates(key: string): string[] {
    return this.keys.map(({ key: secret }) => createHmac('sha256', secret).update(key, 'utf8').digest('hex'));
  }
}
