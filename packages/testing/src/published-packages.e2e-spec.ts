// The published packages as someone outside this repository gets them: `npm pack` of contracts,
// client and scan, the three tarballs installed in an empty folder outside the repository (their
// third-party dependencies from the public registry), then the scanner's command and the client's
// import used there, against the built API.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApi, REPOSITORY_ROOT, startBuiltApi } from './index.js';

const PUBLISHED = ['@tradetally/contracts', '@tradetally/client', '@tradetally/scan'];
const VERSION = (JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Run {
  /** null when the command was killed at its time limit. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a command run as an outsider: without the `npm_*` variables this test
 * inherits from `npm test` (they carry the repository's prefix and workspace settings). What npm
 * needs to reach the registry (a proxy, a company CA) reaches it through turbo.json's pass-through list.
 */
function outsiderEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'));
}

/** Runs a command to its end (at most `timeoutMs`), keeping what it printed. */
function run(command: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: outsiderEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like run(), but a non-zero exit throws with the output. */
async function succeed(command: string, args: string[], cwd: string): Promise<Run> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} ${result.code === null ? 'timed out' : `exited ${result.code}`}:\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

describe('the published packages, installed from their tarballs in an empty folder outside the repository', () => {
  const work = mkdtempSync(join(tmpdir(), 'tt-published-'));
  const outsider = join(work, 'outsider');
  let api: BuiltApi | undefined;

  beforeAll(async () => {
    const packed = await succeed('npm', ['pack', '--json', '--pack-destination', work, ...PUBLISHED.flatMap((name) => ['-w', name])], REPOSITORY_ROOT);
    const tarballs = (JSON.parse(packed.stdout) as Array<{ filename: string }>).map(({ filename }) => join(work, filename));
    mkdirSync(outsider);
    writeFileSync(join(outsider, 'package.json'), JSON.stringify({ name: 'outsider', private: true, type: 'module' }));
    await succeed('npm', ['install', '--no-audit', '--no-fund', ...tarballs], outsider);
    api = await startBuiltApi({
      databaseUrl: `sqlite:${join(work, 'api.sqlite')}`,
      env: { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', WEB_DIST: join(work, 'no-settings-page') },
    });
  });

  afterAll(async () => {
    await api?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const installed = (name: string) => JSON.parse(readFileSync(join(outsider, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };

  it('installs outside the repository, with one copy of the contracts: ours, not one from the registry', () => {
    expect(outsider.startsWith(REPOSITORY_ROOT)).toBe(false);
    expect(installed('@tradetally/contracts').version).toBe(VERSION);
    expect(installed('@tradetally/client').version).toBe(VERSION);
    expect(() => readFileSync(join(outsider, 'node_modules/@tradetally/client/node_modules/@tradetally/contracts/package.json'))).toThrow();
  });

  it('runs tradetally-scan --version from the installed bin', async () => {
    // --no: never fetch a package of that name from the registry when the local bin is missing.
    const result = await run('npx', ['--no', '--', 'tradetally-scan', '--version'], outsider);
    // The installed package's own version (that it is the repository's one number is repository.spec.ts's rule).
    expect(result).toMatchObject({ code: 0, stdout: `${installed('@tradetally/scan').version}\n` });
  });

  it('scans a file with a key: exit 1, the place and prefix…last4, never the key', async () => {
    mkdirSync(join(outsider, 'project'));
    // The key comes from the installed contracts, which proves their ESM entry loads there too.
    const made = await succeed(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { writeFileSync } from 'node:fs';
import { displayApiKey, generateApiKey, parseApiKey } from '@tradetally/contracts';
const key = generateApiKey('live');
writeFileSync('project/settings.env', 'NAME=importer\\nTRADETALLY_KEY=' + key + '\\n');
console.log(JSON.stringify({ key, display: displayApiKey(parseApiKey(key)) }));`,
      ],
      outsider,
    );
    const { key, display } = JSON.parse(made.stdout) as { key: string; display: string };
    const result = await run('npx', ['--no', '--', 'tradetally-scan', 'project'], outsider);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`settings.env:2:16  ${display}  live`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(key);
  });

  it("imports TradeTallyClient from '@tradetally/client' and calls the running API with a key it created", async () => {
    writeFileSync(
      join(outsider, 'call.mjs'),
      `import { TradeTallyClient, TradeTallyError } from '@tradetally/client';
const baseUrl = process.argv[2];
const tt = new TradeTallyClient({ baseUrl });
const email = 'outsider-' + Date.now() + '@example.com';
await tt.auth.register({ email, password: 'a long enough password' });
await tt.auth.login({ email, password: 'a long enough password' });
const { secret } = await tt.keys.create({ name: 'outsider', scope: 'read_write' });
const keyed = new TradeTallyClient({ baseUrl, apiKey: secret });
const trade = await keyed.trades.create({ symbol: 'MSFT', side: 'buy', quantity: 10, price: 420.5, executedAt: '2026-11-02T14:30:00Z' });
const page = await keyed.trades.list({ limit: 10 });
await tt.keys.revoke((await keyed.keys.self()).id);
const refused = await keyed.trades.list().then(() => 'accepted', (error) => (error instanceof TradeTallyError ? error.code : String(error)));
console.log(JSON.stringify({ created: trade.id, listed: page.data.map((t) => t.id), refused }));
`,
    );
    const result = await succeed(process.execPath, ['call.mjs', api!.url], outsider);
    const answer = JSON.parse(result.stdout) as { created: string; listed: string[]; refused: string };
    expect(answer.listed).toEqual([answer.created]);
    expect(answer.refused).toBe('api_key_revoked');
  });

  it('gives a TypeScript consumer the types through the exports map (module nodenext)', async () => {
    writeFileSync(
      join(outsider, 'consumer.ts'),
      `import { TradeTallyClient, TradeTallyError } from '@tradetally/client';
import { fileStore } from '@tradetally/client/node';
import { type ApiKey, type ErrorCode, generateApiKey } from '@tradetally/contracts';
const tt: TradeTallyClient = new TradeTallyClient({ baseUrl: 'http://127.0.0.1:3000', apiKey: generateApiKey('test') });
const code: ErrorCode = 'api_key_revoked';
export async function names(): Promise<string[]> {
  const keys: ApiKey[] = (await tt.keys.list()).data;
  return keys.map((key) => key.name);
}
export const store = fileStore('./tradetally.key');
export const isTyped = (error: unknown): boolean => error instanceof TradeTallyError && error.code === code;
// @ts-expect-error: a scope the contract does not have
export const wrong: ApiKey['scope'] = 'admin';
`,
    );
    const tsc = join(REPOSITORY_ROOT, 'node_modules/typescript/bin/tsc');
    const args = [
      '--ignoreConfig',
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--lib',
      'es2023,dom',
    ];
    const result = await run(process.execPath, [tsc, ...args, 'consumer.ts'], outsider);
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.code).toBe(0);
  });

  it("serves an OpenAPI document that carries the packages' version", async () => {
    const document = (await (await fetch(`${api!.url}/docs-json`)).json()) as { info: { version: string } };
    expect(document.info.version).toBe(VERSION);
  });
});
