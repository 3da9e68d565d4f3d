import CRC32 from 'crc-32';

/** The base62 alphabet of key bodies and checksums; a character's digit value is its index. */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The two key environments: live keys reach real journal data, test keys are for development. */
export const API_KEY_ENVIRONMENTS = ['live', 'test'] as const;

/** A key environment: `live` or `test`. */
export type ApiKeyEnvironment = (typeof API_KEY_ENVIRONMENTS)[number];

/** Number of random base62 characters in a key. */
export const API_KEY_RANDOM_LENGTH = 32;

/** Number of base62 checksum characters at the end of a key. */
export const API_KEY_CHECKSUM_LENGTH = 6;

/** Total length of a key: `tt_<env>_` (8) + random (32) + checksum (6). */
export const API_KEY_LENGTH = 46;

/** The candidate pattern of key-format.md as a RegExp source string (boundaries are checked separately). */
export const API_KEY_PATTERN = 'tt_(live|test)_[0-9A-Za-z]{38}';

/** Number of random characters shown in a key's display prefix after `tt_<env>_`. */
const PREFIX_RANDOM_CHARS = 4;

/** The parts of a valid key. `prefix` and `last4` are the only parts ever shown again. */
export interface ParsedApiKey {
  env: ApiKeyEnvironment;
  random: string;
  checksum: string;
  prefix: string;
  last4: string;
}

/** One key found in a text: the key, its environment and the offset of its first character. */
export interface FoundApiKey {
  key: string;
  env: ApiKeyEnvironment;
  index: number;
}

const encoder = new TextEncoder();
// 248 = 4 * 62: bytes at or above it are rejected so that `byte % 62` is exactly uniform.
const REJECTION_LIMIT = 256 - (256 % BASE62_ALPHABET.length);

/** CRC-32 (IEEE 802.3, as zlib computes it) of a string's UTF-8 bytes, as an unsigned integer. */
export function crc32(text: string): number {
  return CRC32.buf(encoder.encode(text)) >>> 0;
}

/** Writes an unsigned 32-bit integer in base62, most significant digit first, padded to 6 characters. */
export function encodeChecksum(value: number): string {
  let out = '';
  let rest = value >>> 0;
  for (let i = 0; i < API_KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62_ALPHABET.charAt(rest % 62) + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** The checksum characters for a key head `tt_<env>_<random>`. */
export function checksumOf(head: string): string {
  return encodeChecksum(crc32(head));
}

/** `count` characters drawn uniformly from the base62 alphabet with the platform CSPRNG (Web Crypto). */
export function randomBase62(count: number): string {
  let out = '';
  // Web Crypto fills at most 65,536 bytes a call; rejection drops ~3% of bytes, so 2x is plenty.
  const buffer = new Uint8Array(Math.min(65_536, Math.max(64, count * 2)));
  while (out.length < count) {
    globalThis.crypto.getRandomValues(buffer);
    for (const byte of buffer) {
      if (byte >= REJECTION_LIMIT) continue;
      out += BASE62_ALPHABET.charAt(byte % 62);
      if (out.length === count) break;
    }
  }
  return out;
}

/** A new API key for the given environment, e.g. `tt_live_…` (46 characters). */
export function generateApiKey(env: ApiKeyEnvironment): string {
  if (env !== 'live' && env !== 'test') throw new TypeError(`unknown key environment: ${String(env)}`);
  const head = `tt_${env}_${randomBase62(API_KEY_RANDOM_LENGTH)}`;
  return head + checksumOf(head);
}

const EXACT = new RegExp(`^${API_KEY_PATTERN}$`);

/** The parts of `s` when it is exactly one valid key (shape and checksum), otherwise null. */
export function parseApiKey(s: string): ParsedApiKey | null {
  if (typeof s !== 'string' || s.length !== API_KEY_LENGTH) return null;
  const match = EXACT.exec(s);
  if (!match) return null;
  const head = s.slice(0, API_KEY_LENGTH - API_KEY_CHECKSUM_LENGTH);
  const checksum = s.slice(API_KEY_LENGTH - API_KEY_CHECKSUM_LENGTH);
  if (checksumOf(head) !== checksum) return null;
  const env = match[1] as ApiKeyEnvironment;
  return {
    env,
    random: s.slice(8, 8 + API_KEY_RANDOM_LENGTH),
    checksum,
    prefix: s.slice(0, 8 + PREFIX_RANDOM_CHARS),
    last4: s.slice(-4),
  };
}

/** True when `s` is exactly one key with a valid checksum. */
export function isValidApiKey(s: string): boolean {
  return parseApiKey(s) !== null;
}

/** The display form of a key, `prefix…last4` (e.g. `tt_live_C7Lf…xsfq`). */
export function displayApiKey(parts: { prefix: string; last4: string }): string {
  return `${parts.prefix}…${parts.last4}`;
}

function isAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** True when the 46 characters at `index` of `text` are a key candidate: not glued to a letter or digit. */
function hasBoundaries(text: string, index: number): boolean {
  const before = index > 0 ? text.charCodeAt(index - 1) : -1;
  const after = text.charCodeAt(index + API_KEY_LENGTH); // NaN past the end
  return !isAlnum(before) && !isAlnum(after);
}

/**
 * Every valid key in `text`, in order. A candidate glued to a letter or digit on either side is not
 * a key; a candidate whose checksum fails is not a key. `onCandidate` sees every candidate with its
 * verdict, for scanners that count look-alikes.
 */
export function findApiKeys(text: string, onCandidate?: (candidate: string, index: number, valid: boolean) => void): FoundApiKey[] {
  const found: FoundApiKey[] = [];
  // The bare pattern keeps V8's literal-prefix fast path; boundaries are checked by hand. No valid
  // candidate can start inside a rejected match (it would need "tt_" among the 38 alphanumerics).
  const re = new RegExp(API_KEY_PATTERN, 'g');
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    const index = match.index;
    if (!hasBoundaries(text, index)) continue;
    const key = match[0];
    const head = key.slice(0, API_KEY_LENGTH - API_KEY_CHECKSUM_LENGTH);
    const valid = checksumOf(head) === key.slice(API_KEY_LENGTH - API_KEY_CHECKSUM_LENGTH);
    onCandidate?.(key, index, valid);
    if (valid) found.push({ key, env: match[1] as ApiKeyEnvironment, index });
  }
  return found;
}

const CANDIDATE_ANYWHERE = new RegExp(API_KEY_PATTERN, 'g');

/**
 * `text` with every key candidate replaced, valid checksum or not, glued or not: for log lines and
 * error messages, where a look-alike is as unwelcome as a key. Returns `text` itself when clean.
 */
export function redactApiKeys(text: string, replacement = '[REDACTED]'): string {
  if (!text.includes('tt_')) return text;
  return text.replace(CANDIDATE_ANYWHERE, (candidate) => `${candidate.slice(0, 8)}${replacement}`);
}
