import { execFile, spawn } from 'node:child_process';
import { relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';

/** One line added by a change: the file it lands in, its line number there, and the commit (history only). */
export interface AddedLine {
  path: string;
  line: number;
  text: string;
  commit?: string;
}

/** A git command failed (not a repository, a bad range…): a usage or I/O error, exit status 2. */
export class GitError extends Error {}

// Marks a commit's first line in `git log` output; no diff line can start with it (they start with
// ' ', '+', '-', '@', '\' or a header word), so a commit boundary is never mistaken for content.
const COMMIT_MARK = '\u0001commit ';
// Plain, parseable diffs whatever the user's configuration: no colour, no external diff or textconv
// drivers, paths unquoted (UTF-8 as is), zero context lines (only what was added).
const GIT_CONFIG = ['-c', 'core.quotePath=false', '-c', 'color.ui=never', '-c', 'diff.noprefix=false', '-c', 'diff.mnemonicPrefix=false'];
const DIFF_FLAGS = ['-U0', '--no-color', '--no-ext-diff', '--no-textconv', '--src-prefix=a/', '--dst-prefix=b/'];

/** The repository's top folder, for turning diff paths (relative to it) into paths relative to here. */
async function topLevel(cwd: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', '--show-toplevel'], { cwd });
    return stdout.trim();
  } catch (error) {
    throw new GitError(`not a git repository (or git is missing): ${firstLine(error)}`);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? (error as Error & { stderr?: string }).stderr || error.message : String(error);
  return text.trim().split('\n')[0] ?? '';
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

/**
 * The lines of a byte stream, split at LF only (readline would also split at a lone CR, which is
 * content in a diff line and would throw the hunk's line count off); a CR before the LF is dropped.
 */
async function* linesOf(stream: Readable): AsyncGenerator<string> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    const buf: Buffer = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let end = buf.indexOf(10); end !== -1; end = buf.indexOf(10, start)) {
      yield buf.toString('utf8', start, end > start && buf[end - 1] === 13 ? end - 1 : end);
      start = end + 1;
    }
    rest = Buffer.from(buf.subarray(start));
  }
  if (rest.length > 0) yield rest.toString('utf8');
}

/**
 * Reads unified diff output (`-U0`) line by line and yields each added line with its number in the
 * new file. Streams: `git log -p` of a large history never sits in memory whole.
 */
async function* addedLines(args: string[], cwd: string): AsyncGenerator<AddedLine> {
  const top = await topLevel(cwd);
  const child = spawn('git', [...GIT_CONFIG, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  const exited = new Promise<number>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done(code ?? 1));
  });
  let commit: string | undefined;
  let path: string | null = null;
  let line = 0;
  let toAdd = 0; // lines of the new side still to come in the current hunk
  let toRemove = 0;
  for await (const raw of linesOf(child.stdout)) {
    if (toAdd > 0 || toRemove > 0) {
      const kind = raw[0];
      if (kind === '+') {
        toAdd--;
        if (path !== null) yield { path, line, text: raw.slice(1), ...(commit ? { commit } : {}) };
        line++;
        continue;
      }
      if (kind === '-') {
        toRemove--;
        continue;
      }
      if (kind === ' ') {
        toAdd--;
        toRemove--;
        line++;
        continue;
      }
      if (kind === '\\') continue; // "\ No newline at end of file"
      toAdd = 0;
      toRemove = 0; // anything else ends the hunk
    }
    if (raw.startsWith(COMMIT_MARK)) {
      commit = raw.slice(COMMIT_MARK.length).trim();
      path = null;
    } else if (raw.startsWith('diff --git ')) {
      path = null;
    } else if (raw.startsWith('+++ ')) {
      const target = unquote(raw.slice(4).replace(/\t$/, ''));
      path = target === '/dev/null' ? null : relative(cwd, resolve(top, target.replace(/^b\//, ''))) || '.';
    } else if (raw.startsWith('@@ ')) {
      const hunk = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(raw);
      if (hunk) {
        toRemove = hunk[1] === undefined ? 1 : Number(hunk[1]);
        line = Number(hunk[2]);
        toAdd = hunk[3] === undefined ? 1 : Number(hunk[3]);
      }
    }
  }
  const code = await exited;
  if (code !== 0) throw new GitError(`git ${args[0]} failed: ${stderr.trim().split('\n')[0] ?? `exit ${code}`}`);
}

/** Lines added by the staged changes (what `git commit` would record), numbered as in the staged file. */
export function stagedLines(cwd: string): AsyncGenerator<AddedLine> {
  return addedLines(['diff', '--cached', ...DIFF_FLAGS, '--diff-filter=d'], cwd);
}

/** Lines added by every commit in `range` (default: all branches and tags), each with its commit. */
export function historyLines(cwd: string, range: readonly string[]): AsyncGenerator<AddedLine> {
  const revisions = range.length > 0 ? [...range] : ['--all'];
  return addedLines(['log', '-p', ...DIFF_FLAGS, `--format=${COMMIT_MARK}%H`, ...revisions, '--'], cwd);
}
