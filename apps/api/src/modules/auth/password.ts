import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';

// argon2id at OWASP's first recommended setting (m = 19 MiB, t = 2, p = 1): about 33 ms here.
const ARGON2 = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// Legacy scrypt hashes of the first round (`scrypt$N$r$p$salt$hash`) still verify; they are
// re-hashed with argon2id at the next successful sign-in.
const SCRYPT_KEY_LENGTH = 32;
const SCRYPT_MAX_MEMORY = 256 * 1024 * 1024;

function scryptDerive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, SCRYPT_KEY_LENGTH, { N: n, r, p, maxmem: SCRYPT_MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  if (!n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptDerive(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** An argon2id hash in the PHC string form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password.normalize('NFKC'), ARGON2);
}

/** Checks a password against a stored hash (argon2id or legacy scrypt) in constant time; false for anything malformed. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('scrypt$')) return verifyScrypt(password, stored);
  if (!stored.startsWith('$argon2')) return false;
  try {
    return await argon2.verify(stored, password.normalize('NFKC'));
  } catch {
    return false;
  }
}

/** True when a stored hash is weaker than today's setting: re-hash it after a successful sign-in. */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith('$argon2id$') || argon2.needsRehash(stored, ARGON2);
}

/** A hash of a random password, verified against when the e-mail is unknown so timing tells nothing. */
export const DUMMY_HASH = await hashPassword(randomBytes(16).toString('hex'));
