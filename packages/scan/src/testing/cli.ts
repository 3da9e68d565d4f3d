import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
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
  // The hidden middle (all but prefix and last4) must never show, let alone the whole key.
  expectNoKeyIn(stdout, 'stdout');
  expectNoKeyIn(stderr, 'stderr');
  return { code, stdout, stderr };
}

/** Checks `text` shows no key the tests made (not even the hidden middle of one). */
export function expectNoKeyIn(text: string, what: string): void {
  for (const secret of secrets) expect(text.includes(secret.slice(12, -4)), `${what} shows a key`).toBe(false);
}

/** Runs git in `cwd` with an identity and no user or system configuration. */
export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  }).trim();
}

/** A validator for the official SARIF 2.1.0 JSON schema (draft-04, as published). */
export async function sarifValidator(): Promise<(log: unknown) => { valid: boolean; errors: string }> {
  const schemaPath = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(await readFile(schemaPath, 'utf8')) as object;
  // One of the schema's patterns predates the `u` flag ajv adds by default.
  // (CommonJS packages: under NodeNext their default export sits on `.default`.)
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  ajvFormats.default(ajv);
  const validate = ajv.compile(schema);
  return (log) => ({ valid: validate(log), errors: JSON.stringify(validate.errors) });
}
