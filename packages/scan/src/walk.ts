import type { Dirent } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Ignore } from 'ignore';

/** A file to scan: where it is on disk and how findings name it. */
export interface FileEntry {
  /** The path to open. */
  path: string;
  /** The path as output shows it: as given, or joined to the folder given. */
  display: string;
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

/**
 * The ignore rules that apply above `dir`: the repository's info/exclude and the `.gitignore` of
 * every folder from the repository's top down to `dir`'s parent (`dir`'s own is read by the walk).
 * Outside a repository only the walk's own `.gitignore` files count.
 */
async function ancestorScopes(dir: string): Promise<Scope[]> {
  const chain: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    chain.unshift(current);
    if (await exists(join(current, '.git'))) break;
    if (dirname(current) === current) return []; // reached / without finding a repository
  }
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
 * Every file under the given paths, in a stable order, lazily (a tree is never listed whole in
 * memory). A path named on the command line is scanned even if ignored: naming it is the intent.
 * Symbolic links met while walking are not followed (no loops, no leaving the tree).
 * `onError` hears about missing paths and unreadable folders; the walk goes on.
 */
export async function* walkPaths(paths: readonly string[], onError: (path: string, error: unknown) => void): AsyncGenerator<FileEntry> {
  for (const given of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(given)).isDirectory();
    } catch (error) {
      onError(given, error); // a missing path: said on stderr, the other paths still scanned
      continue;
    }
    if (!isDirectory) {
      yield { path: given, display: given };
      continue;
    }
    const root = resolve(given);
    yield* walkDir(root, given, await ancestorScopes(root), onError);
  }
}

async function* walkDir(dir: string, display: string, scopes: Scope[], onError: (path: string, error: unknown) => void): AsyncGenerator<FileEntry> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    onError(display, error);
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
      if (!isIgnored(here, path, true)) yield* walkDir(path, shown, here, onError);
    } else if (entry.isFile()) {
      if (!isIgnored(here, path, false)) yield { path, display: shown };
    }
  }
}
