import { type ChildProcess, type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { ByteScanner, type StreamMatch } from './byte-scanner.js';

/** The keys one change adds to one file: the file, the commit (history only), and what scanning it came to. */
export interface DiffFile {
  /** Relative to the current folder, as output shows it. */
  path: string;
  /** Relative to the repository's top, with forward slashes: what baselines and excludes match. */
  fromTop: string;
  commit?: string;
  /** Bytes of added lines scanned. */
  bytes: number;
  /** Keys on added lines, each with its line number in the new file. */
  matches: StreamMatch[];
  /** The file's new blob is over the size limit: nothing of it is reported. */
  tooLarge: boolean;
}

/** How to scan a diff. */
export interface DiffOptions {
  cwd: string;
  /** Blobs larger than this are skipped (bytes), as files are in a folder scan. */
  maxFileSize: number;
  /** Changes to these paths (relative to the top, forward slashes) are not scanned. */
  excluded?: (fromTop: string) => boolean;
  /** Hears each commit as history scanning reaches it. */
  onCommit?: (commit: string) => void;
}

/** A git command failed (not a repository, a bad range…): a usage or I/O error, exit status 2. */
export class GitError extends Error {}

// Marks a commit's first line in `git log` output; no diff line can start with it (they start with
// ' ', '+', '-', '@', '\' or a header word), so a commit boundary is never mistaken for content.
const COMMIT_MARK = '\u0001commit ';
// Plain, parseable output whatever the user's configuration: no colour, no signatures, paths
// unquoted (UTF-8 as is) and relative to the top, no fsmonitor hook run on our behalf.
const GIT_CONFIG = [
  '-c',
  'core.quotePath=false',
  '-c',
  'color.ui=never',
  '-c',
  'diff.noprefix=false',
  '-c',
  'diff.mnemonicPrefix=false',
  '-c',
  'diff.relative=false',
  '-c',
  'log.showSignature=false',
  '-c',
  'core.fsmonitor=false',
];
// Zero context lines (only what was added); `--text` because a `.gitattributes` `-diff` (or binary
// detection) would otherwise print "Binary files differ" and hide the lines; no external diff or
// textconv drivers; full blob ids, so a blob's size can be asked for.
const DIFF_FLAGS = ['-U0', '--text', '--no-color', '--no-ext-diff', '--no-textconv', '--full-index', '--src-prefix=a/', '--dst-prefix=b/'];

const run = promisify(execFile);

function firstLine(error: unknown): string {
  const text = error instanceof Error ? (error as Error & { stderr?: string }).stderr || error.message : String(error);
  return text.trim().split('\n')[0] ?? '';
}

/** The repository's top folder, for turning diff paths (relative to it) into paths relative to here. */
export async function topLevel(cwd: string): Promise<string> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--show-toplevel'], { cwd });
    return stdout.trim();
  } catch (error) {
    throw new GitError(`not a git repository (or git is missing): ${firstLine(error)}`);
  }
}

/**
 * The files git would show under `dir`: tracked ones (even when a later `.gitignore` names them, as
 * a committed `.env` often is) and untracked ones that no ignore rule names. Paths are relative to
 * `dir`; an untracked folder holding its own repository comes as `name/`.
 */
export async function* listFiles(dir: string): AsyncGenerator<string> {
  // node_modules is never scanned: an untracked one is not even listed (it can hold 100,000 files).
  const args = ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--exclude=node_modules/'];
  const child = spawn('git', [...GIT_CONFIG, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = exitOf(child);
  let rest = '';
  let previous = '';
  for await (const chunk of child.stdout.setEncoding('utf8') as AsyncIterable<string>) {
    const parts = (rest + chunk).split('\0');
    rest = parts.pop() ?? '';
    for (const path of parts) {
      // An unmerged path is listed once per stage, one after the other.
      if (path !== previous) yield path;
      previous = path;
    }
  }
  const { code, stderr } = await exited;
  if (code !== 0) throw new GitError(`git ls-files failed: ${stderr.trim().split('\n')[0] ?? `exit ${code}`}`);
}

/** How a child process ended, with the start of what it said on stderr. */
function exitOf(child: ChildProcess): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, stderr }));
  });
}

/** Undoes git's C-style quoting of a path (`"a\tb"`), which it still uses for control characters and quotes. */
function unquote(path: string): string {
  if (!path.startsWith('"') || !path.endsWith('"')) return path;
  const bytes: number[] = [];
  const body = path.slice(1, -1);
  const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const NEWLINE = 0x0a;
const TT_ = Buffer.from('tt_');
/** Longest header line kept: a path is at most a few KiB; anything longer is nothing this parser reads. */
const MAX_HEADER_BYTES = 64 * 1024;

/** The file section being read: where its added lines land and what they held so far. */
interface OpenFile extends DiffFile {
  blob: string | null;
}

/**
 * Reads unified diff output (`-U0`) as bytes, chunk by chunk, and collects the keys on added lines.
 *
 * Why by hand and on bytes: an added line is scanned as it streams (a ByteScanner for a line that
 * spans chunks), so a line of 8 MiB costs what 8 MiB of short lines cost, and is never joined or
 * decoded; only header lines become strings.
 */
class DiffParser {
  /** What the current line is: undecided (at its first byte), a header, an added line, or skipped. */
  private mode: 'start' | 'header' | 'added' | 'skip' = 'start';
  private header: Buffer[] = [];
  private headerBytes = 0;
  private toAdd = 0; // lines of the new side still to come in the current hunk
  private toRemove = 0;
  private line = 0; // the new side's number of the next line
  private addedLine = 0; // the number of the added line being read
  private lineScanner: ByteScanner | null = null; // for an added line spanning chunks
  private commit: string | undefined;
  private path: string | null = null; // the current section's new path (relative to the top), null for a deletion
  private blob: string | null = null;
  private file: OpenFile | null = null;
  /** Finished file sections with something in them, taken by the reader. */
  readonly done: OpenFile[] = [];

  constructor(
    private readonly top: string,
    private readonly options: DiffOptions,
  ) {}

  feed(chunk: Buffer): void {
    for (let start = 0; start < chunk.length;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.segment(chunk, start, end, newline !== -1);
      start = end + 1;
    }
  }

  end(): void {
    if (this.mode !== 'start') this.segment(Buffer.alloc(0), 0, 0, true);
    this.closeFile();
  }

  /** Bytes `start..end` of one line (`complete` when the line ends there). */
  private segment(chunk: Buffer, start: number, end: number, complete: boolean): void {
    if (this.mode === 'start') {
      this.mode = this.classify(start < end ? chunk[start]! : NEWLINE);
      if (this.mode === 'added') start++;
    }
    if (this.mode === 'added') this.added(chunk.subarray(start, end), complete);
    else if (this.mode === 'header' && this.headerBytes < MAX_HEADER_BYTES) {
      this.header.push(Buffer.from(chunk.subarray(start, end)));
      this.headerBytes += end - start;
    }
    if (!complete) return;
    if (this.mode === 'header') {
      this.headerLine(Buffer.concat(this.header).toString('utf8').replace(/\r$/, ''));
      this.header = [];
      this.headerBytes = 0;
    }
    this.mode = 'start';
  }

  /** Decides a line's kind by its first byte and where the hunk stands. */
  private classify(first: number): 'header' | 'added' | 'skip' {
    if (this.toAdd === 0 && this.toRemove === 0) return 'header';
    if (first === 0x2b /* + */) {
      this.toAdd--;
      this.addedLine = this.line++;
      return 'added';
    }
    if (first === 0x2d /* - */) {
      this.toRemove--;
      return 'skip';
    }
    if (first === 0x20 /* space */) {
      this.toAdd--;
      this.toRemove--;
      this.line++;
      return 'skip';
    }
    if (first === 0x5c /* \ No newline at end of file */) return 'skip';
    this.toAdd = 0; // anything else ends the hunk
    this.toRemove = 0;
    return 'header';
  }

  private added(bytes: Buffer, complete: boolean): void {
    const file = this.file;
    if (!file || file.tooLarge) return;
    file.bytes += bytes.length;
    if (file.bytes > this.options.maxFileSize) {
      // More added than the limit: the blob is surely larger. Nothing of it is read further.
      file.tooLarge = true;
      file.matches = [];
      this.lineScanner = null;
      return;
    }
    let matches: StreamMatch[] = [];
    if (this.lineScanner) {
      if (complete) {
        matches = this.lineScanner.end(bytes);
        this.lineScanner = null;
      } else this.lineScanner.push(bytes);
    } else if (!complete) {
      this.lineScanner = new ByteScanner();
      this.lineScanner.push(bytes);
    } else if (bytes.indexOf(TT_) !== -1) matches = new ByteScanner().end(bytes); // most lines hold no `tt_`: no scanner made
    for (const match of matches) file.matches.push({ ...match, line: this.addedLine });
  }

  private headerLine(text: string): void {
    if (text.startsWith(COMMIT_MARK)) {
      this.closeFile();
      this.commit = text.slice(COMMIT_MARK.length).trim();
      this.options.onCommit?.(this.commit);
    } else if (text.startsWith('diff --git ')) {
      this.closeFile();
      this.path = null;
      this.blob = null;
    } else if (text.startsWith('index ')) {
      const ids = /^index [0-9a-f]+\.\.([0-9a-f]+)/.exec(text);
      this.blob = ids && /[^0]/.test(ids[1]!) ? ids[1]! : null;
    } else if (text.startsWith('+++ ')) {
      const target = unquote(text.slice(4).replace(/\t$/, ''));
      this.path = target === '/dev/null' ? null : target.replace(/^b\//, '');
      this.openFile();
    } else if (text.startsWith('@@ ')) {
      const hunk = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(text);
      if (hunk) {
        this.toRemove = hunk[1] === undefined ? 1 : Number(hunk[1]);
        this.line = Number(hunk[2]);
        this.toAdd = hunk[3] === undefined ? 1 : Number(hunk[3]);
      }
    }
  }

  private openFile(): void {
    this.closeFile();
    if (this.path === null || this.options.excluded?.(this.path)) return;
    this.file = {
      path: relative(this.options.cwd, resolve(this.top, this.path)) || '.',
      fromTop: this.path,
      ...(this.commit ? { commit: this.commit } : {}),
      bytes: 0,
      matches: [],
      tooLarge: false,
      blob: this.blob,
    };
  }

  private closeFile(): void {
    if (this.file && (this.file.bytes > 0 || this.file.tooLarge)) this.done.push(this.file);
    this.file = null;
    this.lineScanner = null;
  }
}

/**
 * Sizes of blobs, from one `git cat-file --batch-check` kept open: requests are written as they come
 * and answered in order, so asking costs a pipe write, not a process.
 */
class BlobSizes {
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly waiting: Array<(size: number | null) => void> = [];

  constructor(private readonly cwd: string) {}

  /** The blob's size in bytes, or null when git cannot tell (then the blob is scanned). */
  of(id: string): Promise<number | null> {
    const child = (this.child ??= this.start());
    return new Promise((done) => {
      this.waiting.push(done);
      child.stdin.write(`${id}\n`);
    });
  }

  close(): void {
    this.child?.stdin.end();
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn('git', ['cat-file', '--batch-check=%(objectsize)'], { cwd: this.cwd });
    let rest = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) this.waiting.shift()?.(/^\d+$/.test(line) ? Number(line) : null);
    });
    const giveUp = () => {
      for (const done of this.waiting.splice(0)) done(null);
    };
    child.on('error', giveUp);
    child.on('close', giveUp);
    child.stdin.on('error', giveUp);
    child.stderr.resume();
    return child;
  }
}

/**
 * The files a diff command's output adds to, each with the keys on its added lines. Streams: `git
 * log -p` of a large history never sits in memory whole.
 */
async function* diffFiles(args: string[], options: DiffOptions): AsyncGenerator<DiffFile> {
  const top = await topLevel(options.cwd);
  const child = spawn('git', [...GIT_CONFIG, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = exitOf(child);
  const parser = new DiffParser(top, options);
  const sizes = new BlobSizes(options.cwd);
  // A file's size is asked for only when it holds a key (rarely): the answer can change only
  // what is reported. One whose added lines alone pass the limit is known to be too large.
  const settle = async function* (): AsyncGenerator<DiffFile> {
    for (const { blob, ...file } of parser.done.splice(0)) {
      if (!file.tooLarge && file.matches.length > 0 && blob) {
        const size = await sizes.of(blob);
        if (size !== null && size > options.maxFileSize) Object.assign(file, { tooLarge: true, matches: [] });
      }
      yield file;
    }
  };
  try {
    for await (const chunk of child.stdout as Readable) {
      parser.feed(chunk as Buffer);
      yield* settle();
    }
    parser.end();
    yield* settle();
    const { code, stderr } = await exited;
    if (code !== 0) throw new GitError(`git ${args[0]} failed: ${stderr.trim().split('\n')[0] ?? `exit ${code}`}`);
  } finally {
    sizes.close();
    if (child.exitCode === null) child.kill();
  }
}

/** Keys added by the staged changes (what `git commit` would record), numbered as in the staged file. */
export function stagedFiles(options: DiffOptions): AsyncGenerator<DiffFile> {
  return diffFiles(['diff', '--cached', ...DIFF_FLAGS, '--diff-filter=d'], options);
}

/** The git version as [major, minor], or null when git does not say. */
async function gitVersion(cwd: string): Promise<[number, number] | null> {
  try {
    const { stdout } = await run('git', ['version'], { cwd });
    const match = /(\d+)\.(\d+)/.exec(stdout);
    return match ? [Number(match[1]), Number(match[2])] : null;
  } catch {
    return null;
  }
}

/**
 * How merge commits are shown. `--remerge-diff` (git 2.36+) shows what a merge adds beyond
 * merging its parents again (a conflict resolved with a key, a key added while merging), so the
 * branch's own lines are not reported twice. Older git gets `-m` (a diff against each parent): it
 * finds the same keys and also repeats, at the merge, what the branches added.
 */
async function mergeFlag(cwd: string): Promise<string> {
  const version = await gitVersion(cwd);
  return version && (version[0] > 2 || (version[0] === 2 && version[1] >= 36)) ? '--remerge-diff' : '-m';
}

/** Keys added by every commit in `range` (default: all branches and tags), merges included, each with its commit. */
export async function* historyFiles(range: readonly string[], options: DiffOptions): AsyncGenerator<DiffFile> {
  const revisions = range.length > 0 ? [...range] : ['--all'];
  yield* diffFiles(['log', '-p', ...DIFF_FLAGS, await mergeFlag(options.cwd), `--format=${COMMIT_MARK}%H`, ...revisions, '--'], options);
}
