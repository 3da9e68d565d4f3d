import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { type ApiKeyEnvironment, parseApiKey } from '@tradetally/contracts';
import { ALLOW_MARKER, type StreamMatch } from './byte-scanner.js';
import { ReadBuffers, scanFile, scanStream } from './files.js';
import { type DiffFile, type DiffOptions, historyFiles, stagedFiles } from './git.js';
import { type Finding, compareFindings } from './output.js';
import { type FileEntry, type WalkOptions, walkPaths } from './walk.js';

/** What to scan. */
export type ScanTarget = { kind: 'paths'; paths: string[] } | { kind: 'stdin'; stream: Readable } | { kind: 'staged' } | { kind: 'history'; range: string[] };

/** How far a scan has come, updated as it goes (for a progress line). */
export interface ScanProgress {
  files: number;
  bytes: number;
  /** The commit being read (`--git-history`). */
  commit?: string;
}

/** How to scan it. */
export interface ScanOptions {
  /** Files larger than this are skipped (bytes). */
  maxFileSize: number;
  ignoreTestKeys: boolean;
  /** Files read at once: enough to keep the disk busy, few enough to bound memory (2 MiB + 1 MiB each). */
  concurrency: number;
  /** Where git runs and paths are relative to. */
  cwd: string;
  /** The scanned root (absolute): findings carry their path from it, and excludes match from it. */
  root: string;
  /** Paths relative to the root (forward slashes) that are not scanned; folders are tested with `isDir`. */
  excluded?: (fromRoot: string, isDir: boolean) => boolean;
  /** Hears about files that could not be read; the scan goes on (and exits 2). */
  onError: (path: string, error: unknown) => void;
  /** Hears what is worth saying but changes nothing (a repository walked without git). */
  onNotice: (message: string) => void;
  progress?: ScanProgress;
}

/** Every finding plus what the summary line and `--report` need. */
export interface ScanResult {
  findings: Finding[];
  /** The live keys found by fingerprint: only for `--report`, never printed. */
  liveKeys: Map<string, string>;
  files: number;
  bytes: number;
  skippedBinary: number;
  skippedTooLarge: number;
}

/** Name of standard input in findings (as grep calls it). */
export const STDIN_NAME = '(stdin)';

/** The fingerprint of a key in findings and baselines: SHA-256 hex of the key, which tells nothing of it. */
export function fingerprintOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const toPosix = (path: string) => (sep === '/' ? path : path.split(sep).join('/'));

/** `absolute` relative to `root` with forward slashes, or null when it lies outside the root. */
function fromRootOf(root: string, absolute: string): string | null {
  const rel = relative(root, absolute);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return toPosix(rel);
}

const INLINE = { kind: 'inSource', justification: `the line holds ${ALLOW_MARKER}` } as const;

/** Collects findings, keeping each live key's full text out of them. */
class Collector {
  readonly findings: Finding[] = [];
  readonly live = new Map<string, string>();
  private readonly seen = new Set<string>();

  constructor(private readonly ignoreTestKeys: boolean) {}

  add(match: StreamMatch, where: { path: string; fromRoot: string; commit?: string }): void {
    const env: ApiKeyEnvironment = match.env;
    if (env === 'test' && this.ignoreTestKeys) return;
    const parsed = parseApiKey(match.key);
    if (!parsed) return; // findApiKeys only hands out valid keys; kept for type narrowing
    // The same line can come twice from one merge shown against each of its parents (old git).
    const place = `${where.commit ?? ''}\0${where.path}\0${match.line}\0${match.column}`;
    if (this.seen.has(place)) return;
    this.seen.add(place);
    const fingerprint = fingerprintOf(match.key);
    if (env === 'live') this.live.set(fingerprint, match.key);
    this.findings.push({
      path: where.path,
      fromRoot: where.fromRoot,
      line: match.line,
      column: match.column,
      prefix: parsed.prefix,
      last4: parsed.last4,
      env,
      fingerprint,
      ...(where.commit ? { commit: where.commit } : {}),
      ...(match.allowed ? { suppression: INLINE } : {}),
    });
  }
}

/** Scans the target; throws only for what stops the whole scan (a missing path, git failing). */
export async function scan(target: ScanTarget, options: ScanOptions): Promise<ScanResult> {
  const collector = new Collector(options.ignoreTestKeys);
  const result = { files: 0, bytes: 0, skippedBinary: 0, skippedTooLarge: 0 };
  const progress = options.progress ?? { files: 0, bytes: 0 };
  if (target.kind === 'stdin') {
    progress.files = 1;
    const { bytes, matches } = await scanStream(target.stream, (read) => (progress.bytes += read));
    for (const match of matches) collector.add(match, { path: STDIN_NAME, fromRoot: STDIN_NAME });
    Object.assign(result, { files: 1, bytes });
  } else if (target.kind === 'staged' || target.kind === 'history') {
    const diff: DiffOptions = {
      cwd: options.cwd,
      maxFileSize: options.maxFileSize,
      // The root of a git scan is the repository's top: diff paths are relative to it already.
      ...(options.excluded ? { excluded: (fromTop: string) => options.excluded!(fromTop, false) } : {}),
      onCommit: (commit) => (progress.commit = commit),
    };
    const files = target.kind === 'staged' ? stagedFiles(diff) : historyFiles(target.range, diff);
    const seen = new Set<string>();
    for await (const file of files) {
      progress.bytes += file.bytes;
      if (file.tooLarge) {
        result.skippedTooLarge++;
        continue;
      }
      if (!seen.has(file.fromTop)) progress.files = seen.add(file.fromTop).size;
      result.bytes += file.bytes;
      addDiffFile(collector, file);
    }
    result.files = seen.size;
  } else {
    const excluded = options.excluded;
    const walk: WalkOptions = {
      onError: options.onError,
      onNotice: options.onNotice,
      ...(excluded
        ? {
            excluded: (absolute: string, isDir: boolean) => {
              const rel = fromRootOf(options.root, absolute);
              return rel !== null && excluded(rel, isDir);
            },
          }
        : {}),
    };
    const files = walkPaths(target.paths, walk);
    const scanOne = async (file: FileEntry, buffers: ReadBuffers): Promise<void> => {
      try {
        const outcome = await scanFile(file.path, options.maxFileSize, buffers, !file.listed);
        if (outcome.kind === 'binary') result.skippedBinary++;
        else if (outcome.kind === 'too_large') result.skippedTooLarge++;
        else {
          result.files++;
          result.bytes += outcome.bytes;
          progress.files++;
          progress.bytes += outcome.bytes;
          if (outcome.matches.length > 0) {
            const where = { path: file.display, fromRoot: fromRootOf(options.root, resolve(options.cwd, file.path)) ?? toPosix(file.display) };
            for (const match of outcome.matches) collector.add(match, where);
          }
        }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A folder git lists is a submodule: its own files are walked (git lists them there).
        if (file.listed && code === 'EISDIR') {
          for await (const inner of walkPaths([file.display], walk)) await scanOne(inner, buffers);
          return;
        }
        // What git lists may be gone from disk, or a link: nothing to read.
        if (file.listed && (code === 'ENOENT' || code === 'ELOOP')) return;
        options.onError(file.display, error);
      }
    };
    // A few readers pull from one lazy walk: reads overlap, and memory stays at their buffers.
    // (Concurrent next() calls on an async generator are queued by the language, so sharing is safe.)
    const reader = async () => {
      const buffers = new ReadBuffers();
      for await (const file of files) await scanOne(file, buffers);
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, reader));
  }
  return { ...result, findings: collector.findings.sort(compareFindings), liveKeys: collector.live };
}

function addDiffFile(collector: Collector, file: DiffFile): void {
  for (const match of file.matches) collector.add(match, { path: file.path, fromRoot: file.fromTop, ...(file.commit ? { commit: file.commit } : {}) });
}
