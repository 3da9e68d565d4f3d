import { readFile } from 'node:fs/promises';
import { findApiKeys, generateApiKey, isValidApiKey } from '@tradetally/contracts';
import { RE2JS } from 're2js';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

// The rules for gitleaks and TruffleHog, compiled with an RE2 engine (re2js, a pure JavaScript port
// of the engine both tools use), run over generated keys and look-alikes.
const integrations = new URL('../../../integrations/', import.meta.url);

interface GitleaksConfig {
  extend?: { useDefault?: boolean };
  rules: Array<{ id: string; regex: string; secretGroup?: number; keywords: string[] }>;
}

interface TrufflehogConfig {
  detectors: Array<{ name: string; keywords: string[]; regex: Record<string, string> }>;
}

const gitleaks = parseToml(await readFile(new URL('gitleaks.toml', integrations), 'utf8')) as unknown as GitleaksConfig;
const trufflehog = parseYaml(await readFile(new URL('trufflehog.yaml', integrations), 'utf8')) as TrufflehogConfig;
const gitleaksRule = gitleaks.rules.find((rule) => rule.id === 'tradetally-api-key');
const trufflehogDetector = trufflehog.detectors[0];

/** Every match's group 1 (what both tools report), in order. */
function matchesOf(pattern: string, text: string): string[] {
  const matcher = RE2JS.compile(pattern).matcher(text);
  const found: string[] = [];
  while (matcher.find()) found.push(matcher.group(1) ?? '');
  return found;
}

const keys = Array.from({ length: 200 }, (_, i) => generateApiKey(i % 2 === 0 ? 'live' : 'test'));

/** Places a key can sit in real files; every one must be found. */
const contexts: Array<(key: string, other: string) => { text: string; expected: string[] }> = [
  (key) => ({ text: key, expected: [key] }),
  (key) => ({ text: `TRADETALLY_KEY=${key}\n`, expected: [key] }),
  (key) => ({ text: `{"apiKey":"${key}","n":1}`, expected: [key] }),
  (key) => ({ text: `line one\r\n  key: '${key}'\r\n`, expected: [key] }),
  (key) => ({ text: `https://example.com/cb?key=${key}&x=1`, expected: [key] }),
  (key) => ({ text: `API_KEY_${key}`, expected: [key] }), // an underscore is no letter or digit
  (key) => ({ text: `${key}_old`, expected: [key] }),
  (key) => ({ text: `é${key}é`, expected: [key] }),
  (key, other) => ({ text: `${key} ${other}`, expected: [key, other] }),
  (key, other) => ({ text: `${key},${other}`, expected: [key, other] }),
  (key, other) => ({ text: `[${key}]\n[${other}]`, expected: [key, other] }),
];

/** Same shape or nearly: none may be found. */
function lookalikes(key: string): string[] {
  const body = key.slice(8);
  return [
    `x${key}`, // glued to a letter before
    `9${key}`, // glued to a digit before
    `${key}A`, // glued to a letter after (a body of 39)
    `${key}0`,
    key.slice(0, -1), // a body of 37
    `tt_prod_${body}`,
    `TT_LIVE_${body}`,
    `tt-live-${body}`,
    `tt_live${body}`,
    `t_live_${body}`,
    `tt_live_${body.slice(0, 20)}-${body.slice(21)}`,
  ];
}

describe.each([
  ['gitleaks.toml', () => gitleaksRule?.regex ?? '', () => gitleaksRule?.keywords ?? []],
  ['trufflehog.yaml', () => trufflehogDetector?.regex.key ?? '', () => trufflehogDetector?.keywords ?? []],
] as const)('%s', (_file, pattern, keywords) => {
  it('compiles as RE2 and has the keywords tt_live_ and tt_test_', () => {
    expect(() => RE2JS.compile(pattern())).not.toThrow();
    expect([...keywords()].sort()).toEqual(['tt_live_', 'tt_test_']);
  });

  it('finds every generated key, alone and in context, and reports the key alone', () => {
    for (const [i, key] of keys.entries()) {
      const other = keys[(i + 1) % keys.length]!;
      for (const context of contexts) {
        const { text, expected } = context(key, other);
        expect(matchesOf(pattern(), text), text).toEqual(expected);
        expect(keywords().some((keyword) => text.includes(keyword))).toBe(true);
      }
    }
  });

  it('finds no look-alike: glued on either side, too short or long, wrong prefix', () => {
    for (const key of keys.slice(0, 50)) {
      for (const text of lookalikes(key)) expect(matchesOf(pattern(), text), text).toEqual([]);
    }
  });

  it('cannot check the checksum (as the file says): a bad-checksum look-alike matches, and findApiKeys drops it', () => {
    const key = keys[0]!;
    const badChecksum = `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;
    expect(matchesOf(pattern(), badChecksum)).toEqual([badChecksum]);
    expect(findApiKeys(badChecksum)).toEqual([]);
  });

  it('agrees with findApiKeys on mixed text once the checksum is checked', () => {
    const pieces = [' ', '\n', ', ', '"', "='", 'x', '_', '-', ...keys.slice(0, 20), ...keys.slice(0, 20).flatMap(lookalikes)];
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % pieces.length;
    for (let round = 0; round < 50; round++) {
      const parts: string[] = [];
      for (let i = 0; i < 80; i++) parts.push(pieces[next()]!);
      // Pieces glue freely; only the documented miss (two candidates joined by one "_") is spaced.
      const text = parts.join('').replace(/(tt_(?:live|test)_[0-9A-Za-z]{38})_(?=tt_)/g, '$1 ');
      expect(matchesOf(pattern(), text).filter(isValidApiKey)).toEqual(findApiKeys(text).map((found) => found.key));
    }
  });
});

describe('gitleaks.toml', () => {
  it('keeps gitleaks’ built-in rules and reports only the key (secretGroup 1)', () => {
    expect(gitleaks.extend?.useDefault).toBe(true);
    expect(gitleaksRule?.secretGroup).toBe(1);
  });
});
