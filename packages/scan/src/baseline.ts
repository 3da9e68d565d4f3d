import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { displayApiKey, redactApiKeys } from '@tradetally/contracts';
import { SettingsError } from './config.js';
import type { Finding } from './output.js';

/** The baseline file used when present at the scanned root and no other is named. */
export const DEFAULT_BASELINE = '.tradetally-scan-baseline.json';

/** One accepted finding: the key's fingerprint (never the key) and its path from the scanned root. */
export interface BaselineEntry {
  /** SHA-256 hex of the key. */
  fingerprint: string;
  /** Relative to the scanned root, with forward slashes. */
  path: string;
  /** The key's display form (`prefix…last4`), for the people who read the file. */
  display?: string;
  /** Why the finding is accepted: SARIF's justification. */
  reason?: string;
  /** `YYYY-MM-DD`: the entry suppresses through that day (UTC), and no longer after it. */
  until?: string;
}

/** A baseline as read: its file and entries. */
export interface Baseline {
  file: string;
  entries: BaselineEntry[];
}

/** What applying a baseline came to: the entries past their date (they no longer suppress). */
export interface BaselineOutcome {
  expired: BaselineEntry[];
}

const FINGERPRINT = /^[0-9a-f]{64}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const FIELDS = ['fingerprint', 'path', 'display', 'reason', 'until'];

/** True when `text` is a real calendar date written `YYYY-MM-DD`. */
function isDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().startsWith(text);
}

/**
 * Reads and checks a baseline file: `{ "version": 1, "findings": [entry…] }`. Checked by hand
 * rather than with a schema library: five string fields do not justify adding one to the command.
 */
export async function readBaseline(file: string): Promise<Baseline> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new SettingsError(`baseline ${file}: ${reason}`);
  }
  const bad = (what: string) => new SettingsError(`baseline ${file}: ${what}`);
  if (typeof data !== 'object' || data === null || (data as { version?: unknown }).version !== 1 || !Array.isArray((data as { findings?: unknown }).findings)) {
    throw bad('expected { "version": 1, "findings": [...] }');
  }
  const entries = (data as { findings: unknown[] }).findings.map((raw, i) => {
    const at = `findings[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw bad(`${at} is not an object`);
    const entry = raw as Record<string, unknown>;
    const extra = Object.keys(entry).find((key) => !FIELDS.includes(key));
    if (extra) throw bad(`${at}: unknown field ${extra}`);
    for (const key of FIELDS) if (entry[key] !== undefined && typeof entry[key] !== 'string') throw bad(`${at}.${key} must be a string`);
    if (typeof entry.fingerprint !== 'string' || !FINGERPRINT.test(entry.fingerprint))
      throw bad(`${at}.fingerprint must be 64 lowercase hex digits (SHA-256 of the key)`);
    if (typeof entry.path !== 'string' || entry.path === '') throw bad(`${at}.path is missing`);
    if (entry.until !== undefined && !isDate(entry.until as string)) throw bad(`${at}.until must be a date written YYYY-MM-DD, not ${String(entry.until)}`);
    return entry as unknown as BaselineEntry;
  });
  return { file, entries };
}

const entryKey = (fingerprint: string, path: string) => `${fingerprint}\0${path}`;

/** Today's date in UTC as `YYYY-MM-DD`: an `until` before it has passed. */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Marks the findings a baseline accepts as suppressed (`external`), leaving those an allow marker
 * already suppresses as they are. An entry past its `until` date suppresses nothing.
 */
export function applyBaseline(findings: Finding[], baseline: Baseline, on = today()): BaselineOutcome {
  const current = new Map<string, BaselineEntry>();
  const expired: BaselineEntry[] = [];
  for (const entry of baseline.entries) {
    if (entry.until !== undefined && entry.until < on) expired.push(entry);
    else current.set(entryKey(entry.fingerprint, entry.path), entry);
  }
  for (const finding of findings) {
    if (finding.suppression) continue;
    const entry = current.get(entryKey(finding.fingerprint, finding.fromRoot));
    if (entry) finding.suppression = { kind: 'external', justification: entry.reason ?? `listed in the baseline ${baseline.file}` };
  }
  return { expired };
}

/**
 * A baseline of the findings not suppressed in the source, one entry per key and path, keeping the
 * reason and date of an entry `previous` already had. Written through `redactApiKeys` like all
 * output: a key in a file's name never lands in the file (that entry then matches nothing).
 */
export function baselineText(findings: readonly Finding[], previous: Baseline | null): string {
  const kept = new Map(previous?.entries.map((entry) => [entryKey(entry.fingerprint, entry.path), entry]));
  const entries = new Map<string, BaselineEntry>();
  for (const finding of findings) {
    if (finding.suppression?.kind === 'inSource') continue;
    const key = entryKey(finding.fingerprint, finding.fromRoot);
    if (entries.has(key)) continue;
    const old = kept.get(key);
    entries.set(key, {
      fingerprint: finding.fingerprint,
      path: finding.fromRoot,
      display: displayApiKey(finding),
      ...(old?.reason !== undefined ? { reason: old.reason } : {}),
      ...(old?.until !== undefined ? { until: old.until } : {}),
    });
  }
  const sorted = [...entries.values()].sort((a, b) => (a.path !== b.path ? (a.path < b.path ? -1 : 1) : a.fingerprint < b.fingerprint ? -1 : 1));
  return redactApiKeys(`${JSON.stringify({ version: 1, findings: sorted }, null, 2)}\n`);
}

/** Writes a baseline file (and its folder) and reads it back as the baseline now in force. */
export async function writeBaseline(file: string, text: string): Promise<Baseline> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return readBaseline(file);
}
