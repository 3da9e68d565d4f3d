import { generateApiKey } from '@tradetally/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../shared/fingerprint.js';
import { StreamScanner, keysIn } from './scan.js';

describe('keysIn', () => {
  it('finds each valid key once, with its display parts, and no look-alike', () => {
    const key = generateApiKey('live');
    const lookalike = `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;
    expect(keysIn(`a ${key} b ${key} c ${lookalike}`)).toEqual([{ key, env: 'live', prefix: key.slice(0, 12), last4: key.slice(-4) }]);
  });
});

describe('StreamScanner', () => {
  it('finds keys however the text is cut into pieces, each once, and nothing glued to a letter', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 30 }), fc.boolean(), (cuts, glued) => {
        const a = generateApiKey('live');
        const b = generateApiKey('test');
        const text = `start ${a} middle ${glued ? 'x' : ' '}${b} end`;
        const scanner = new StreamScanner();
        const found: string[] = [];
        let at = 0;
        for (const cut of cuts) {
          found.push(...scanner.push(text.slice(at, at + cut)).map((f) => f.key));
          at += cut;
        }
        found.push(...scanner.push(text.slice(at)).map((f) => f.key), ...scanner.end().map((f) => f.key));
        expect(found).toEqual(glued ? [a] : [a, b]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fingerprint', () => {
  it('is the SHA-256 hex of the key', async () => {
    expect(await fingerprint('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
