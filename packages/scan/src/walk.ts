import type { Dirent } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Ignore } from 'ignore';
import { listFiles } from './git.js';

/** A file to scan: where it is on disk and how findings name it. */
export interface FileEntry {
  /** The path to open. */
  path: string;
  /** The path as output shows it: as given, or joined to the folder given. */
  display: string;
  /** Listed by git: it may be gone from disk, a folder (a submodule) or a link, none of which is scanned. */
  listed?: boolean;
}

/** What the walk reports besides files. */
export interface WalkOptions {
  /** Missing paths and unreadable folders; the walk goes on. */
  onError: (path: string, error: unknown) => void;
  /** Said once when a repository cannot be listed by git and is walked with its ignore files instead. */
  onNotice: (message: string) => void;
  /** Paths (absolute) the configuration excludes; a folder is tested with `isDir` true. */
  excluded?: (absolute: string, isDir: boolean) => boolean;
}

/** The rules of one ignore file, relative to the folder that holds it. */
interface Scope {
  dir: string;
  rules: Ignore;
}

/** Folders never scanned, whatever the ignore files say. */
const ALWAYS_SKIPPED = new Set(['.git', 'node_modules']);

const toPosix = (path: string) => (sep === '/' ? path : path.split(sep).join('/'));

async function readRules(file: string): Promise<Ignore | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null; // no such file (or unreadable): no rules from it
  }
  // Loaded on first use: a tree without ignore files (stdin, git modes too) does not pay for it.
  const { default: ignore } = await import('ignore');
  return ignore().add(text);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The folders from the repository's top down to `dir`, or null outside a repository. */
async function repositoryChain(dir: string): Promise<string[] | null> {
  const chain: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    chain.unshift(current);
    if (await exists(join(current, '.git'))) return chain;
    if (dirname(current) === current) return null; // reached / without finding a repository
  }
}

/**
 * The ignore rules that apply above `dir`: the repository's info/exclude and the `.gitignore` of
 * every folder from the repository's top down to `dir`'s parent (`dir`'s own is read by the walk).
 * Outside a repository only the walk's own `.gitignore` files count.
 */
async function ancestorScopes(chain: string[] | null): Promise<Scope[]> {
  if (!chain) return [];
  const scopes: Scope[] = [];
  const top = chain[0]!;
  const exclude = await readRules(join(top, '.git', 'info', 'exclude'));
  if (exclude) scopes.push({ dir: top, rules: exclude });
  for (const folder of chain.slice(0, -1)) {
    const rules = await readRules(join(folder, '.gitignore'));
    if (rules) scopes.push({ dir: folder, rules });
  }
  return scopes;
}

/** Git's verdict: the deepest ignore file with a rule for the path decides (a `!rule` re-includes). */
function isIgnored(scopes: readonly Scope[], absolute: string, isDir: boolean): boolean {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i]!;
    const rel = toPosix(relative(scope.dir, absolute));
    if (rel === '' || rel.startsWith('..')) continue;
    const verdict = scope.rules.test(isDir ? `${rel}/` : rel);
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

/**
 * Every file under the given paths, lazily (a tree is never listed whole in memory). A path named on
 * the command line is scanned even if ignored: naming it is the intent.
 *
 * Inside a git repository git lists the files (`git ls-files --cached --others --exclude-standard`):
 * what is tracked is scanned even when a later `.gitignore` names it (the committed `.env`), and
 * untracked files only when no ignore rule names them. Elsewhere the walk reads the `.gitignore`
 * files itself. Symbolic links met on the way are not followed (no loops, no leaving the tree).
 */
export async function* walkPaths(paths: readonly string[], options: WalkOptions): AsyncGenerator<FileEntry> {
  for (const given of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(given)).isDirectory();
    } catch (error) {
      options.onError(given, error); // a missing path: said on stderr, the other paths still scanned
      continue;
    }
    if (!isDirectory) {
      yield { path: given, display: given };
      continue;
    }
    const root = resolve(given);
    const chain = await repositoryChain(root);
    if (chain) {
      const listed = yield* listedFiles(root, given, options);
      if (listed) continue;
    }
    yield* walkDir(root, given, await ancestorScopes(chain), options);
  }
}

/** Yields the files git lists under `root`; false when git could not list them (nothing yielded then). */
async function* listedFiles(root: string, display: string, options: WalkOptions): AsyncGenerator<FileEntry, boolean> {
  let yielded = false;
  try {
    for await (const path of listFiles(root)) {
      yielded = true;
      const absolute = join(root, path);
      if (path.split('/').some((segment) => ALWAYS_SKIPPED.has(segment))) continue;
      if (path.endsWith('/')) {
        // An untracked folder with a repository of its own: git lists it, not its files.
        if (!options.excluded?.(absolute, true)) yield* walkPaths([join(display, path)], options);
      } else if (!options.excluded?.(absolute, false)) yield { path: absolute, display: join(display, path), listed: true };
    }
    return true;
  } catch (error) {
    if (yielded) throw error;
    // git missing, or refusing the repository (owned by another user): the ignore files still count.
    options.onNotice(`${display}: git cannot list the files (${error instanceof Error ? error.message : String(error)}); reading .gitignore files instead`);
    return false;
  }
}

async function* walkDir(dir: string, display: string, scopes: Scope[], options: WalkOptions): AsyncGenerator<FileEntry> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    options.onError(display, error);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let here = scopes;
  if (entries.some((entry) => entry.name === '.gitignore' && entry.isFile())) {
    const rules = await readRules(join(dir, '.gitignore'));
    if (rules) here = [...scopes, { dir, rules }];
  }
  for (const entry of entries) {
    if (ALWAYS_SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    const shown = join(display, entry.name);
    if (entry.isDirectory()) {
      if (!isIgnored(here, path, true) && !options.excluded?.(path, true)) yield* walkDir(path, shown, here, options);
    } else if (entry.isFile()) {
      if (!isIgnored(here, path, false) && !options.excluded?.(path, false)) yield { path, display: shown };
    }
  }
}
