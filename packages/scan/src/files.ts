import { close, constants, fstat, open, read } from 'node:fs';
import type { Readable } from 'node:stream';
import { ByteScanner, type StreamMatch } from './byte-scanner.js';

/** Bytes looked at for a NUL to call a file binary (as git and ripgrep do). */
export const BINARY_SNIFF_BYTES = 8 * 1024;
/** Files up to this size are read in one go; larger ones go on in chunks of CHUNK_BYTES. */
export const WHOLE_FILE_BYTES = 2 * 1024 * 1024;
/** Chunk size for large files and standard input. */
export const CHUNK_BYTES = 1024 * 1024;

/** What scanning one file came to. */
export type FileOutcome = { kind: 'scanned'; bytes: number; matches: StreamMatch[] } | { kind: 'binary' } | { kind: 'too_large'; bytes: number };

/**
 * Reusable read buffers, one set per concurrent reader: reading 256 MiB must not allocate 256 MiB
 * of garbage. A ByteScanner copies what it keeps, so the buffers are free again after each file.
 */
export class ReadBuffers {
  readonly whole = Buffer.allocUnsafe(WHOLE_FILE_BYTES);
  readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);
}

function looksBinary(buf: Buffer, length: number): boolean {
  return buf.subarray(0, Math.min(length, BINARY_SNIFF_BYTES)).indexOf(0) !== -1;
}

// Callback-style fs, wrapped by hand: FileHandle's promise API costs about a third more main-thread
// time per file (measured: open/stat/read/close of 512 small files), and these calls are the hot path.
const openFile = (path: string, follow: boolean) =>
  new Promise<number>((done, fail) => open(path, follow ? 'r' : constants.O_RDONLY | constants.O_NOFOLLOW, (error, fd) => (error ? fail(error) : done(fd))));
const sizeOf = (fd: number) => new Promise<number>((done, fail) => fstat(fd, (error, stats) => (error ? fail(error) : done(stats.size))));
const readAt = (fd: number, buf: Buffer, position: number) =>
  new Promise<number>((done, fail) => read(fd, buf, 0, buf.length, position, (error, bytesRead) => (error ? fail(error) : done(bytesRead))));

/**
 * Scans one file: skipped when binary or over `maxBytes`, else every key with its line and column.
 * Most files fit the first read, which then also tells their size: no stat call for them.
 * With `follow` false a symbolic link is refused (ELOOP) rather than read through.
 */
export async function scanFile(path: string, maxBytes: number, buffers: ReadBuffers, follow = true): Promise<FileOutcome> {
  const fd = await openFile(path, follow);
  try {
    const first = await readAt(fd, buffers.whole, 0);
    if (first > maxBytes) return { kind: 'too_large', bytes: first };
    if (looksBinary(buffers.whole, first)) return { kind: 'binary' };
    const scanner = new ByteScanner();
    if (first < buffers.whole.length) return { kind: 'scanned', bytes: first, matches: scanner.end(buffers.whole.subarray(0, first)) };
    // A large file: in chunks, with the overlap ByteScanner keeps, never all of it in memory.
    const size = await sizeOf(fd);
    if (size > maxBytes) return { kind: 'too_large', bytes: size };
    scanner.push(buffers.whole);
    let total = first;
    for (;;) {
      const bytesRead = await readAt(fd, buffers.chunk, total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) return { kind: 'too_large', bytes: total }; // grew while we read it
      scanner.push(buffers.chunk.subarray(0, bytesRead));
    }
    return { kind: 'scanned', bytes: total, matches: scanner.end() };
  } finally {
    // Not awaited: the descriptor is released in the background while the next file opens.
    close(fd, () => undefined);
  }
}

/** Scans a stream (standard input) chunk by chunk; binary input and the size limit are not applied. */
export async function scanStream(stream: Readable, onBytes?: (bytes: number) => void): Promise<{ bytes: number; matches: StreamMatch[] }> {
  const scanner = new ByteScanner();
  let bytes = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buf.length;
    scanner.push(buf);
    onBytes?.(buf.length);
  }
  return { bytes, matches: scanner.end() };
}
