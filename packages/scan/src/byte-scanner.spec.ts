import { findApiKeys, generateApiKey } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { ByteScanner, type StreamMatch } from './byte-scanner.js';

/** Feeds `bytes` to a scanner in chunks of `size` (the whole at once when size is 0). */
function scanInChunks(bytes: Buffer, size: number): StreamMatch[] {
  const scanner = new ByteScanner();
  if (size === 0) return scanner.end(bytes);
  for (let i = 0; i < bytes.length; i += size) {
    // A reused buffer, as the file reader passes: the scanner must copy what it keeps.
    const chunk = Buffer.from(bytes.subarray(i, i + size));
    scanner.push(chunk);
    chunk.fill(0x21);
  }
  return scanner.end();
}

/** Where each key of `text` is, as an editor shows it (1-based line, column in code points). */
function expected(text: string): Array<Pick<StreamMatch, 'line' | 'column' | 'env'>> {
  return findApiKeys(text).map((found) => {
    const before = text.slice(0, found.index).replace(/^\uFEFF/, '');
    const lines = before.split('\n');
    return { env: found.env, line: lines.length, column: [...lines.at(-1)!].length + 1 };
  });
}

const lookalike = (key: string) => `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;

describe('ByteScanner', () => {
  const live = generateApiKey('live');
  const test = generateApiKey('test');
  const text = [
    `${live} at the very first byte`,
    'naïve €12.50 — 日本語 🎉 then',
    `  "key": "${test}",\r`,
    `glued x${generateApiKey('live')} and ${generateApiKey('live')}y are not keys; ${lookalike(live)} is a look-alike`,
    `emoji 🎉🎉 ${live}`,
    `ends with ${test}`,
  ].join('\n');
  // Allow markers before and after keys on their line, far apart on a long line, and on a line of their own.
  const allowText = [
    `# tradetally-scan:allow ${'.'.repeat(200)} ${live}`,
    `${test} ${'.'.repeat(150)} // tradetally-scan:allow`,
    `${live} not allowed`,
    'tradetally-scan:allow alone',
    `${test} after the marker's line: not allowed tradetally-scan:allo`,
  ].join('\n');

  it('finds every key at the line and character column an editor shows', () => {
    const matches = scanInChunks(Buffer.from(text), 0);
    expect(matches.map(({ line, column, env }) => ({ line, column, env }))).toEqual(expected(text));
    expect(matches.map((m) => m.key)).toEqual([live, test, live, test]);
    expect(matches[0]).toMatchObject({ line: 1, column: 1 });
    expect(matches[3]).toMatchObject({ line: 6, column: 11 });
  });

  it('finds the same keys, at the same places, whatever the chunk boundaries', () => {
    const bytes = Buffer.from(text);
    const whole = scanInChunks(bytes, 0);
    for (let size = 1; size <= 120; size++) expect(scanInChunks(bytes, size), `chunks of ${size}`).toEqual(whole);
    for (const size of [4096, 65_536]) expect(scanInChunks(bytes, size)).toEqual(whole);
  });

  it('marks keys on a line holding tradetally-scan:allow, before or after them, whatever the chunk boundaries', () => {
    const bytes = Buffer.from(allowText);
    const whole = scanInChunks(bytes, 0);
    expect(whole.map(({ line, allowed }) => [line, allowed])).toEqual([
      [1, true],
      [2, true],
      [3, false],
      [5, false],
    ]);
    for (const size of [1, 2, 7, 20, 21, 22, 46, 47, 48, 64, 100, 151, 4096]) expect(scanInChunks(bytes, size), `chunks of ${size}`).toEqual(whole);
  });

  it('judges a key cut by a chunk boundary with the bytes on both sides of it', () => {
    const key = generateApiKey('live');
    for (const [glue, found] of [
      ['', 1],
      ['x', 0],
    ] as const) {
      const bytes = Buffer.from(`${'.'.repeat(100)}${glue}${key}${glue}${'.'.repeat(100)}`);
      for (let cut = 95; cut <= 150; cut++) {
        const scanner = new ByteScanner();
        scanner.push(bytes.subarray(0, cut));
        const matches = scanner.end(bytes.subarray(cut));
        expect(matches.length, `cut at ${cut}, glue "${glue}"`).toBe(found);
      }
    }
  });

  it('counts CRLF files by their LF and skips a UTF-8 byte order mark in the column', () => {
    const key = generateApiKey('test');
    const matches = scanInChunks(Buffer.from(`\uFEFF${key}\r\n\r\nx = ${key}\r\n`), 0);
    expect(matches.map(({ line, column }) => [line, column])).toEqual([
      [1, 1],
      [3, 5],
    ]);
  });

  it('ignores look-alikes: a wrong checksum, wrong case, a short or long body', () => {
    const key = generateApiKey('live');
    const text = [lookalike(key), key.replace('tt_live_', 'TT_LIVE_'), key.slice(0, -1), `${key}Z`, key.replace('tt_live_', 'tt_prod_')].join(' ');
    expect(scanInChunks(Buffer.from(text), 0)).toEqual([]);
    expect(scanInChunks(Buffer.from(text), 7)).toEqual([]);
  });
});
