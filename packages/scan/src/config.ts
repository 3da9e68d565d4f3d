import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'smol-toml';

/** The configuration file's name, read from the scanned root. */
export const CONFIG_FILE = '.tradetally-scan.toml';

/** A bad configuration or baseline file, or a bad value: a usage error (exit status 2) naming the file and the key. */
export class SettingsError extends Error {}

/** What `.tradetally-scan.toml` may set; flags on the command line win over it. */
export interface ScanConfig {
  /** The file read. */
  file: string;
  /** Patterns in `.gitignore` syntax, relative to the scanned root. */
  exclude: string[];
  /** Bytes. */
  maxFileSize?: number;
  ignoreTestKeys?: boolean;
  /** Absolute path of the baseline file (given relative to the configuration file). */
  baseline?: string;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** A size such as `10MiB`, `512k` or `1048576` in bytes; `what` names the setting in the error. */
export function parseSize(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined) throw new SettingsError(`${what}: not a size: ${text} (e.g. 10MiB, 512k, 1048576)`);
  return Math.floor(Number(match[1]) * unit);
}

const KEYS = ['exclude', 'max-file-size', 'ignore-test-keys', 'baseline'];

/**
 * Reads `.tradetally-scan.toml` in `root`, or null when there is none. Unknown keys and wrong types
 * are errors, as a typo that silently changed nothing would leave keys unreported or reported.
 */
export async function readConfig(root: string): Promise<ScanConfig | null> {
  const file = join(root, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SettingsError(`${file}: cannot read it (${(error as Error).message})`);
  }
  let table: Record<string, unknown>;
  try {
    table = parse(text);
  } catch (error) {
    throw new SettingsError(`${file}: not valid TOML: ${(error as Error).message.split('\n')[0]} (line ${(error as { line?: number }).line ?? '?'})`);
  }
  const wrong = (key: string, expected: string) => new SettingsError(`${file}: ${key} must be ${expected}`);
  const unknown = Object.keys(table).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0) throw new SettingsError(`${file}: unknown key ${unknown[0]} (known: ${KEYS.join(', ')})`);
  const config: ScanConfig = { file, exclude: [] };
  const { exclude, baseline } = table;
  const size = table['max-file-size'];
  const ignoreTestKeys = table['ignore-test-keys'];
  if (exclude !== undefined) {
    if (!Array.isArray(exclude) || !exclude.every((pattern) => typeof pattern === 'string')) throw wrong('exclude', 'an array of strings');
    config.exclude = exclude as string[];
  }
  if (size !== undefined) {
    if (typeof size === 'number' && Number.isInteger(size) && size >= 0) config.maxFileSize = size;
    else if (typeof size === 'string') config.maxFileSize = parseSize(size, `${file}: max-file-size`);
    else throw wrong('max-file-size', 'a size such as "10MiB" or a number of bytes');
  }
  if (ignoreTestKeys !== undefined) {
    if (typeof ignoreTestKeys !== 'boolean') throw wrong('ignore-test-keys', 'true or false');
    config.ignoreTestKeys = ignoreTestKeys;
  }
  if (baseline !== undefined) {
    if (typeof baseline !== 'string' || baseline === '') throw wrong('baseline', 'a file name');
    config.baseline = resolve(dirname(file), baseline);
  }
  return config;
}
