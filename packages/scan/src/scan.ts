import type { Readable } from 'node:stream';
import { type ApiKeyEnvironment, findApiKeys, parseApiKey } from '@tradetally/contracts';
import { ReadBuffers, scanFile, scanStream } from './files.js';
import { type AddedLine, historyLines, stagedLines } from './git.js';
import { type Finding, compareFindings } from './output.js';
import { walkPaths } from './walk.js';

/** What to scan. */
export type ScanTarget = { kind: 'paths'; paths: string[] } | { kind: 'stdin'; stream: Readable } | { kind: 'staged' } | { kind: 'history'; range: string[] };

/** How to scan it. */
export interface ScanOptions {
  /** Files larger than this are skipped (bytes). */
  maxFileSize: number;
  ignoreTestKeys: boolean;
  /** Files read at once: enough to keep the disk busy, few enough to bound memory (2 MiB + 1 MiB each). */
  concurrency: number;
  /** Where git runs and paths are relative to. */
  cwd: string;
  /** Hears about files that could not be read; the scan goes on (and exits 2). */
  onError: (path: string, error: unknown) => void;
}

/** Every finding plus what the summary line and `--report` need. */
export interface ScanResult {
  findings: Finding[];
  /** The live keys found, each once: only for `--report`, never printed. */
  liveKeys: string[];
  files: number;
  bytes: number;
  skippedBinary: number;
  skippedTooLarge: number;
}

/** Name of standard input in findings (as grep calls it). */
export const STDIN_NAME = '(stdin)';

/** Collects findings, keeping each live key's full text out of them. */
class Collector {
  readonly findings: Finding[] = [];
  private readonly live = new Set<string>();

  constructor(private readonly ignoreTestKeys: boolean) {}

  add(key: string, env: ApiKeyEnvironment, where: { path: string; line: number; column: number; commit?: string }): void {
    if (env === 'test' && this.ignoreTestKeys) return;
    const parsed = parseApiKey(key);
    if (!parsed) return; // findApiKeys only hands out valid keys; kept for type narrowing
    if (env === 'live') this.live.add(key);
    this.findings.push({ ...where, prefix: parsed.prefix, last4: parsed.last4, env });
  }

  liveKeys(): string[] {
    return [...this.live];
  }
}

/** Characters (code points) in `text`: columns count characters, not UTF-16 units or bytes. */
function charCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xdc00 || code > 0xdfff) count++; // a low surrogate belongs to the character before it
  }
  return count;
}

async function scanLines(lines: AsyncIterable<AddedLine>, collector: Collector): Promise<{ files: number; bytes: number }> {
  const files = new Set<string>();
  let bytes = 0;
  for await (const added of lines) {
    files.add(added.path);
    bytes += added.text.length;
    if (!added.text.includes('tt_')) continue;
    for (const found of findApiKeys(added.text)) {
      const column = charCount(added.text.slice(0, found.index)) + 1;
      collector.add(found.key, found.env, { path: added.path, line: added.line, column, ...(added.commit ? { commit: added.commit } : {}) });
    }
  }
  return { files: files.size, bytes };
}

/** Scans the target; throws only for what stops the whole scan (a missing path, git failing). */
export async function scan(target: ScanTarget, options: ScanOptions): Promise<ScanResult> {
  const collector = new Collector(options.ignoreTestKeys);
  const result = { files: 0, bytes: 0, skippedBinary: 0, skippedTooLarge: 0 };
  if (target.kind === 'stdin') {
    const { bytes, matches } = await scanStream(target.stream);
    for (const m of matches) collector.add(m.key, m.env, { path: STDIN_NAME, line: m.line, column: m.column });
    Object.assign(result, { files: 1, bytes });
  } else if (target.kind === 'staged' || target.kind === 'history') {
    const lines = target.kind === 'staged' ? stagedLines(options.cwd) : historyLines(options.cwd, target.range);
    Object.assign(result, await scanLines(lines, collector));
  } else {
    const files = walkPaths(target.paths, options.onError);
    // A few readers pull from one lazy walk: reads overlap, and memory stays at their buffers.
    // (Concurrent next() calls on an async generator are queued by the language, so sharing is safe.)
    const reader = async () => {
      const buffers = new ReadBuffers();
      for await (const file of files) {
        try {
          const outcome = await scanFile(file.path, options.maxFileSize, buffers);
          if (outcome.kind === 'binary') result.skippedBinary++;
          else if (outcome.kind === 'too_large') result.skippedTooLarge++;
          else {
            result.files++;
            result.bytes += outcome.bytes;
            for (const m of outcome.matches) collector.add(m.key, m.env, { path: file.display, line: m.line, column: m.column });
          }
        } catch (error) {
          options.onError(file.display, error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, reader));
  }
  return { ...result, findings: collector.findings.sort(compareFindings), liveKeys: collector.liveKeys() };
}
