import { API_KEY_LENGTH, type ApiKeyEnvironment, findApiKeys } from '@tradetally/contracts';

/** A key found in a byte stream, with its 1-based line and column (columns count characters). */
export interface StreamMatch {
  key: string;
  env: ApiKeyEnvironment;
  line: number;
  column: number;
  /** The line holds `tradetally-scan:allow`: the finding is suppressed in the source. */
  allowed: boolean;
}

/** Written on a line (in any comment syntax), it suppresses the keys found on that line. */
export const ALLOW_MARKER = 'tradetally-scan:allow';

const MARKER_BYTES = Buffer.from(ALLOW_MARKER, 'latin1');
const NEWLINE = 0x0a;
const UNDERSCORE = 0x5f;
const LOWER_T = 0x74;
// Bytes carried from one chunk into the next: a whole key plus the byte before it (for the boundary
// check), so a key cut by a chunk boundary is found, with its neighbours, in the next window. The
// marker (21 bytes) is shorter, so a marker cut by a boundary is found the same way.
const OVERLAP = API_KEY_LENGTH + 1;

/** Characters (code points) among `buf[start..end)`: every byte that is not a UTF-8 continuation byte. */
function countChars(buf: Buffer, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) if ((buf[i]! & 0xc0) !== 0x80) count++;
  return count;
}

/**
 * Finds keys in bytes fed chunk by chunk, without decoding the text as UTF-8.
 *
 * Why bytes: key characters are ASCII, and a byte of a multi-byte UTF-8 character is never one of
 * `[0-9A-Za-z]`, so `findApiKeys` over the latin1 view of the bytes (one character per byte) finds
 * exactly the keys of the UTF-8 text, at byte offsets. Decoding whole files to run a regex costs
 * about 4x ripgrep's time; instead `memchr` (Buffer#indexOf of one byte) finds each `_`, a `tt`
 * before it makes a candidate, and only the candidate's 48 bytes are decoded for `findApiKeys`.
 *
 * Every byte is looked at a bounded number of times whatever the line lengths: positions (keys,
 * markers) are visited in order and line/column counting resumes where the previous one stopped,
 * so an 8 MiB line costs what 8 MiB of short lines cost.
 */
export class ByteScanner {
  /** Bytes kept from the previous window (its last OVERLAP bytes), copied: callers reuse buffers. */
  private tail: Buffer = Buffer.alloc(0);
  /** Absolute offset of the current window's first byte. */
  private windowStart = 0;
  /** Keys and markers at absolute offsets up to this one were judged in an earlier window. */
  private settledThrough = -1;
  /** Line and column (characters already on that line) at `windowStart`. */
  private line = 1;
  private column = 0;
  private first = true;
  private readonly matches: StreamMatch[] = [];
  /** Lines holding the allow marker; a marker may come after the key on its line, so this is applied at the end. */
  private readonly allowedLines = new Set<number>();

  /** Feeds the next chunk (which the caller may overwrite once this returns). */
  push(chunk: Buffer): void {
    this.scanWindow(this.windowOf(chunk), false);
  }

  /** Feeds the last chunk (possibly empty), judges every remaining candidate and returns every key found. */
  end(chunk: Buffer = Buffer.alloc(0)): StreamMatch[] {
    this.scanWindow(this.windowOf(chunk), true);
    if (this.allowedLines.size > 0) for (const match of this.matches) match.allowed = this.allowedLines.has(match.line);
    return this.matches;
  }

  private windowOf(chunk: Buffer): Buffer {
    const window = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    if (this.first && window.length >= 3) {
      this.first = false;
      // A UTF-8 byte order mark is no character an editor shows: columns start after it.
      if (window[0] === 0xef && window[1] === 0xbb && window[2] === 0xbf) this.column = -1;
    }
    return window;
  }

  private scanWindow(window: Buffer, final: boolean): void {
    // A key starting after `limit` may still be glued to bytes of the next chunk: judged next time.
    // (With fewer than OVERLAP bytes so far, `limit` falls before the window: nothing is judged yet.)
    const keepFrom = final ? window.length : Math.max(0, window.length - OVERLAP);
    const limit = final ? Number.POSITIVE_INFINITY : this.windowStart + window.length - OVERLAP;
    const unsettled = (start: number) => {
      const absolute = this.windowStart + start;
      return absolute > this.settledThrough && absolute <= limit;
    };
    // Input seen whole in one window (most files, every diff line) looks for the marker only on the
    // lines that hold a key: a pass over every byte for a marker cost a fifth of a folder scan's time
    // (256 MiB: 420 -> 514 ms). Input in chunks may have a key's line begin in an earlier window,
    // so there every window is searched and marked lines are remembered.
    const whole = final && this.windowStart === 0;
    const markers = whole ? [] : markerStarts(window).filter(unsettled);
    let lineEnd = -1; // the end of the last line looked at for a marker, and its verdict
    let lineAllowed = false;
    const allowedAt = (start: number) => {
      if (start >= lineEnd) {
        const newline = window.indexOf(NEWLINE, start);
        lineEnd = newline === -1 ? window.length : newline;
        lineAllowed = window.subarray(window.lastIndexOf(NEWLINE, start) + 1, lineEnd).indexOf(MARKER_BYTES) !== -1;
      }
      return lineAllowed;
    };
    let next = 0; // the next marker to place
    // Positions advance monotonically through the window, so line counting is one pass.
    let at = 0;
    let line = this.line;
    let column = this.column;
    const moveTo = (position: number) => {
      [line, column] = advance(window, at, position, line, column);
      at = position;
    };
    const placeMarkersBefore = (position: number) => {
      for (; next < markers.length && markers[next]! < position; next++) {
        moveTo(markers[next]!);
        this.allowedLines.add(line);
      }
    };
    for (const start of candidateStarts(window)) {
      if (!unsettled(start)) continue;
      // findApiKeys judges the candidate with the bytes on either side (boundaries, checksum).
      const from = Math.max(0, start - 1);
      const found = findApiKeys(window.toString('latin1', from, Math.min(window.length, start + API_KEY_LENGTH + 1)));
      const key = found.find((f) => from + f.index === start);
      if (!key) continue;
      placeMarkersBefore(start);
      moveTo(start);
      this.matches.push({ key: key.key, env: key.env, line, column: column + 1, allowed: whole && allowedAt(start) });
    }
    placeMarkersBefore(Number.POSITIVE_INFINITY);
    this.settledThrough = Math.max(this.settledThrough, limit);
    if (final) return;
    // Every position visited lies before keepFrom (it is at most `limit`): counting goes on from there.
    moveTo(keepFrom);
    [this.line, this.column] = [line, column];
    this.windowStart += keepFrom;
    this.tail = Buffer.from(window.subarray(keepFrom));
  }
}

/** Offsets in `buf` where `tt_` starts: every `_` found by memchr, kept when `tt` precedes it and `_` follows the env. */
function* candidateStarts(buf: Buffer): Generator<number> {
  const last = buf.length - API_KEY_LENGTH;
  for (let u = buf.indexOf(UNDERSCORE, 2); u !== -1; u = buf.indexOf(UNDERSCORE, u + 1)) {
    const start = u - 2;
    if (start > last) return;
    if (buf[u - 1] === LOWER_T && buf[start] === LOWER_T && buf[start + 7] === UNDERSCORE && alnumRun(buf, start + 8)) yield start;
  }
}

/** Offsets in `buf` where the allow marker starts. */
function markerStarts(buf: Buffer): number[] {
  const starts: number[] = [];
  for (let i = buf.indexOf(MARKER_BYTES); i !== -1; i = buf.indexOf(MARKER_BYTES, i + MARKER_BYTES.length)) starts.push(i);
  return starts;
}

/** Near misses (`tt_live_demo`) are common in code and docs: rejecting them here costs a few byte reads, not a decode. */
function alnumRun(buf: Buffer, from: number): boolean {
  for (let i = from; i < from + API_KEY_LENGTH - 8; i++) {
    const b = buf[i]!;
    if (!((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a))) return false;
  }
  return true;
}

/**
 * The line and column at `to`, given those at `from` (from <= to). The newline search stops at
 * `to`: searching on to the end of the buffer would read a long line again for every key on it.
 */
function advance(buf: Buffer, from: number, to: number, line: number, column: number): [number, number] {
  if (from === to) return [line, column];
  const span = buf.subarray(0, to);
  let lastNewline = -1;
  for (let i = span.indexOf(NEWLINE, from); i !== -1; i = span.indexOf(NEWLINE, i + 1)) {
    line++;
    lastNewline = i;
  }
  if (lastNewline === -1) return [line, column + countChars(buf, from, to)];
  return [line, countChars(buf, lastNewline + 1, to)];
}
