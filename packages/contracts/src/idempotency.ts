import { DAY_MS } from './time.js';

/**
 * `Idempotency-Key` on writes: a client sends a fresh key with every POST and the same key when it
 * sends the same request again (after a network error); the API then answers the first answer
 * again, marked `Idempotent-Replayed: true`, instead of doing the write twice. Kept 24 hours per
 * credential.
 */

/** How long an answer is kept for its Idempotency-Key (the worker's sweep deletes older ones). */
export const IDEMPOTENCY_KEPT_MS = DAY_MS;

/** The request header that names a write. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** The answer header set on an answer given again for a repeated key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Longest Idempotency-Key accepted. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** A well-formed Idempotency-Key: 1 to 255 visible ASCII characters (a UUID is the usual one). */
export function isIdempotencyKey(value: string): boolean {
  return value.length >= 1 && value.length <= MAX_IDEMPOTENCY_KEY_LENGTH && /^[\x21-\x7e]+$/.test(value);
}
