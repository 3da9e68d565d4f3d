import { createHash } from 'node:crypto';

/**
 * The stored form of a random bearer secret (session tokens, e-mail confirmation tokens): SHA-256
 * in hex. The secrets carry 256 bits of their own, so neither a pepper nor a slow hash adds
 * anything. Here because the API makes sessions and checks confirmations while the worker makes
 * the confirmation tokens: one definition for both.
 */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
