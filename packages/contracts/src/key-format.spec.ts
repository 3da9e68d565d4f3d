import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_PATTERN,
  BASE62_ALPHABET,
  crc32,
  encodeChecksum,
  findApiKeys,
  generateApiKey,
  isValidApiKey,
  parseApiKey,
  randomBase62,
  redactApiKeys,
  type ApiKeyEnvironment,
} from './key-format.js';

// key-format.md, "Test vectors", verbatim.
const VALID = [
  'tt_live_000000000000000000000000000000001xCHTo',
  'tt_live_abcdefghijklmnopqrstuvwxyzABCDEF38GGta',
  'tt_live_ZzZzZzZzZzZzZzZzZzZzZzZzZzZzZzZz0kxsfq',
  'tt_test_0000000000000000000000000000000040X2uP',
  'tt_test_abcdefghijklmnopqrstuvwxyzABCDEF0UwtON',
];
const BAD_CHECKSUM = ['tt_live_000000000000000000000000000000001xCHTp', 'tt_test_000000000000000000000000000000001xCHTo'];
const NOT_CANDIDATES = ['xtt_live_000000000000000000000000000000001xCHTo', 'tt_live_000000000000000000000000000000001xCHToA'];

const env = fc.constantFrom<ApiKeyEnvironment>('live', 'test');
const alnum = fc.constantFrom(...BASE62_ALPHABET.split(''));
const separator = fc.constantFrom(' ', '\n', '\t', '"', "'", '=', ':', ',', '(', ')', '<', '>', '/', '-', '_', '.', '…', 'é');
/** Prose that can never hold a candidate: no underscore after "tt", so no accidental "tt_live_". */
const prose = fc.string({ unit: fc.constantFrom('a', 'b', 't', ' ', '\n', '.', '0', 'Z', 'é', '🙂'), maxLength: 60 });

describe('key format test vectors', () => {
  it.each(VALID)('accepts %s', (key) => {
    expect(isValidApiKey(key)).toBe(true);
    expect(findApiKeys(`seen: ${key}.`)).toEqual([{ key, env: key.slice(3, 7), index: 6 }]);
  });

  it.each(BAD_CHECKSUM)('rejects %s for its checksum', (key) => {
    expect(isValidApiKey(key)).toBe(false);
    expect(parseApiKey(key)).toBeNull();
    expect(findApiKeys(key)).toEqual([]);
  });

  it.each(NOT_CANDIDATES)('does not find %s, which is glued to a letter', (text) => {
    expect(findApiKeys(text)).toEqual([]);
    expect(isValidApiKey(text)).toBe(false);
  });

  it('reports look-alikes as invalid candidates without alerting on them', () => {
    const seen: Array<[string, boolean]> = [];
    const found = findApiKeys(`${BAD_CHECKSUM[0]} and ${VALID[0]}`, (candidate, _index, valid) => seen.push([candidate, valid]));
    expect(found.map((f) => f.key)).toEqual([VALID[0]]);
    expect(seen).toEqual([
      [BAD_CHECKSUM[0], false],
      [VALID[0], true],
    ]);
  });

  it('parses a key into the parts the display form uses', () => {
    expect(parseApiKey(VALID[2]!)).toEqual({
      env: 'live',
      random: 'ZzZzZzZzZzZzZzZzZzZzZzZzZzZzZzZz',
      checksum: '0kxsfq',
      prefix: 'tt_live_ZzZz',
      last4: 'xsfq',
    });
  });

  it('exposes the candidate pattern of the spec', () => {
    expect(API_KEY_PATTERN).toBe('tt_(live|test)_[0-9A-Za-z]{38}');
  });
});

describe('checksum', () => {
  it('is the CRC-32 zlib computes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        expect(crc32(s)).toBe(zlibCrc32(Buffer.from(s, 'utf8')));
      }),
    );
  });

  it('writes base62 most significant digit first, padded to 6', () => {
    expect(encodeChecksum(0)).toBe('000000');
    expect(encodeChecksum(61)).toBe('00000z');
    expect(encodeChecksum(62)).toBe('000010');
    expect(encodeChecksum(0xffffffff)).toBe('4gfFC3');
  });
});

describe('generated keys', () => {
  it('parse, validate, and are found at the right index', () => {
    fc.assert(
      fc.property(env, prose, separator, separator, prose, (e, before, left, right, after) => {
        const key = generateApiKey(e);
        expect(key).toHaveLength(46);
        expect(key.startsWith(`tt_${e}_`)).toBe(true);
        const parsed = parseApiKey(key);
        expect(parsed?.env).toBe(e);
        expect(parsed?.prefix).toBe(key.slice(0, 12));
        expect(parsed?.last4).toBe(key.slice(-4));
        expect(isValidApiKey(key)).toBe(true);
        const text = before + left + key + right + after;
        expect(findApiKeys(text)).toEqual([{ key, env: e, index: before.length + left.length }]);
      }),
      { numRuns: 300 },
    );
  });

  it('become invalid after any single-character change', () => {
    fc.assert(
      fc.property(env, fc.nat(45), fc.integer({ min: 1, max: 61 }), (e, position, shift) => {
        const key = generateApiKey(e);
        const original = key.charAt(position);
        const at = BASE62_ALPHABET.indexOf(original);
        // Letters and digits move within the alphabet; the fixed "tt_env_" characters take any other alphanumeric.
        const replacement = at >= 0 ? BASE62_ALPHABET.charAt((at + shift) % 62) : BASE62_ALPHABET.charAt(shift);
        const changed = key.slice(0, position) + replacement + key.slice(position + 1);
        expect(changed).not.toBe(key);
        expect(isValidApiKey(changed)).toBe(false);
        expect(findApiKeys(changed)).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('are not found when glued to a letter or digit on either side', () => {
    fc.assert(
      fc.property(env, alnum, fc.boolean(), (e, glue, onLeft) => {
        const key = generateApiKey(e);
        expect(findApiKeys(onLeft ? glue + key : key + glue)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('are all found, in order, when several share one text', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(env, prose, separator), { minLength: 1, maxLength: 8 }), (parts) => {
        let text = '';
        const expected: Array<{ key: string; env: ApiKeyEnvironment; index: number }> = [];
        for (const [e, filler, sep] of parts) {
          text += filler + sep;
          const key = generateApiKey(e);
          expected.push({ key, env: e, index: text.length });
          text += key + sep;
        }
        expect(findApiKeys(text)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('are never equal', () => {
    const keys = new Set(Array.from({ length: 5000 }, () => generateApiKey('live')));
    expect(keys.size).toBe(5000);
  });

  it('refuse an unknown environment', () => {
    expect(() => generateApiKey('prod' as ApiKeyEnvironment)).toThrow(TypeError);
  });
});

/** Pearson's chi-square statistic of symbol counts against the uniform distribution. */
function chiSquare(sample: string): number {
  const counts = new Map<string, number>();
  for (const ch of sample) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const expected = sample.length / 62;
  let statistic = 0;
  for (const ch of BASE62_ALPHABET) {
    const observed = counts.get(ch) ?? 0;
    statistic += (observed - expected) ** 2 / expected;
  }
  return statistic;
}

// Chi-square with 61 degrees of freedom: the 1 - 1e-6 quantile is about 129 (Wilson-Hilferty), so an
// unbiased generator fails this test about once in a million runs.
const CRITICAL_61_DOF = 129;

describe('randomness', () => {
  it('draws the 32 random characters uniformly over the alphabet (chi-square, 20,000 keys)', () => {
    let sample = '';
    for (let i = 0; i < 20_000; i++) sample += parseApiKey(generateApiKey(i % 2 ? 'live' : 'test'))!.random;
    expect(sample).toHaveLength(640_000);
    expect(chiSquare(sample)).toBeLessThan(CRITICAL_61_DOF);
  });

  it('has a test that catches the modulo bias rejection sampling avoids', () => {
    // The naive `byte % 62` sampler over-draws the first 8 symbols by 25%; the same test must flag it.
    const bytes = new Uint8Array(640_000);
    globalThis.crypto.getRandomValues(bytes.subarray(0, 65_536));
    for (let off = 65_536; off < bytes.length; off += 65_536) globalThis.crypto.getRandomValues(bytes.subarray(off, off + 65_536));
    const biased = Array.from(bytes, (b) => BASE62_ALPHABET.charAt(b % 62)).join('');
    expect(chiSquare(biased)).toBeGreaterThan(CRITICAL_61_DOF);
    expect(chiSquare(randomBase62(640_000))).toBeLessThan(CRITICAL_61_DOF);
  });
});

describe('redactApiKeys', () => {
  it('removes every candidate, valid or not, and keeps the rest of the text', () => {
    const text = `a ${VALID[0]} b ${BAD_CHECKSUM[0]} c x${VALID[1]}`;
    const out = redactApiKeys(text);
    expect(out).toBe('a tt_live_[REDACTED] b tt_live_[REDACTED] c xtt_live_[REDACTED]');
    expect(findApiKeys(out)).toEqual([]);
    expect(redactApiKeys('no keys here')).toBe('no keys here');
  });
});
