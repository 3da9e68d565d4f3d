import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyHasher, parsePeppers } from './secrets.js';

const A = 'a'.repeat(32);
const B = 'b:'.repeat(16);

describe('peppers', () => {
  it('parses id:secret pairs, current first, secrets may hold colons', () => {
    expect(parsePeppers(`2:${B}, 1:${A}`)).toEqual([
      { id: '2', secret: B },
      { id: '1', secret: A },
    ]);
  });

  it('refuses short secrets, bad ids, duplicates and nothing', () => {
    expect(() => parsePeppers('1:short')).toThrow(/at least 32/);
    expect(() => parsePeppers(`bad id:${A}`)).toThrow(/id:secret/);
    expect(() => parsePeppers(`1:${A},1:${A}`)).toThrow(/distinct/);
    expect(() => parsePeppers(' , ')).toThrow(/at least one/);
  });

  it('hashes with the current pepper and offers every pepper as a candidate, current first', () => {
    const hasher = new KeyHasher(parsePeppers(`2:${B},1:${A}`));
    const hmac = (secret: string) => createHmac('sha256', secret).update('tt_live_x').digest('hex');
    expect(hasher.currentId).toBe('2');
    expect(hasher.hash('tt_live_x')).toBe(hmac(B));
    expect(hasher.candidates('tt_live_x')).toEqual([hmac(B), hmac(A)]);
  });
});
