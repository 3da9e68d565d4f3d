import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ApiKeyEnvironment, findApiKeys, generateApiKey } from '@tradetally/contracts';
import { expect } from 'vitest';

/** The command as npm links it (bin/ loads the bundle `npm run build` makes; turbo's test task builds first). */
export const CLI = fileURLToPath(new URL('../../bin/tradetally-scan.mjs', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../dist/tradetally-scan.mjs', import.meta.url));

/** Every key the tests made: no output of the command may contain any of them. */
const secrets = new Set<string>();

/** A fresh key, remembered so that every run can check its output never shows it. */
export function newKey(env: ApiKeyEnvironment): string {
  const key = generateApiKey(env);
  secrets.add(key);
  return key;
}

/** `key` with its last character changed: same shape, failing checksum. */
export function lookalike(key: string): string {
  return `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`;
}

/** One finding as the JSON output has it. */
export interface JsonFinding {
  path: string;
  line: number;
  column: number;
  prefix: string;
  last4: string;
  env: ApiKeyEnvironment;
  commit?: string;
}

/** The findings an editor would show for `text` in `path`: the oracle the command is compared with. */
export function expectedFindings(path: string, text: string): JsonFinding[] {
  return findApiKeys(text).map((found) => {
    const lines = text
      .slice(0, found.index)
      .replace(/^\uFEFF/, '')
      .split('\n');
    return {
      path,
      line: lines.length,
      column: [...lines.at(-1)!].length + 1,
      prefix: found.key.slice(0, 12),
      last4: found.key.slice(-4),
      env: found.env,
    };
  });
}

/** What one run of the command printed and its exit status. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tradetally-scan` and checks that neither stream shows any key the tests made. */
export async function runCli(args: string[], options: { cwd: string; input?: string | Buffer; env?: Record<string, string> }): Promise<Run> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build -w @tradetally/scan first`);
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, TRADETALLY_API_URL: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdin.end(options.input ?? '');
  const code = await new Promise<number | null>((done) => child.on('close', done));
  for (const secret of secrets) {
    // The hidden middle (all but prefix and last4) must never show, let alone the whole key.
    const hidden = secret.slice(12, -4);
    expect(stdout.includes(hidden), 'stdout shows a key').toBe(false);
    expect(stderr.includes(hidden), 'stderr shows a key').toBe(false);
  }
  return { code, stdout, stderr };
}
