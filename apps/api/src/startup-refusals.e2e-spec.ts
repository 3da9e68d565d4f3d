import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

/** Starts the built API with `env` (nothing else of the test's environment) and waits for its exit. */
function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'sqlite::memory:', PORT: '0', LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // A start that is not refused listens: stop it, and the test sees a signal instead of exit 1.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const PEPPER = 'a-real-pepper-of-at-least-32-characters!';

describe('configuration that would undo a rule stops the start (security.md "The API, round two")', () => {
  it.each([
    ['TRUST_PROXY=0.0.0.0/0', { TRUST_PROXY: '0.0.0.0/0', TT_KEY_PEPPER: PEPPER }, /TRUST_PROXY: "0\.0\.0\.0\/0" trusts every address/],
    ['TRUST_PROXY=::/0 among proxies', { TRUST_PROXY: '10.0.0.1, ::/0', TT_KEY_PEPPER: PEPPER }, /TRUST_PROXY: "::\/0" trusts every address/],
    [
      'TRUST_PROXY with 11 entries',
      { TRUST_PROXY: Array.from({ length: 11 }, (_, i) => `10.0.0.${i + 1}`).join(','), TT_KEY_PEPPER: PEPPER },
      /TRUST_PROXY: 11 entries is more than/,
    ],
    ['a public HOST on the development pepper (NODE_ENV=test)', { HOST: '0.0.0.0', NODE_ENV: 'test' }, /HOST: "0\.0\.0\.0" is reachable from other machines/],
    ['a public HOST on the development pepper (NODE_ENV=development)', { HOST: '192.0.2.10', NODE_ENV: 'development' }, /HOST: "192\.0\.2\.10" is reachable/],
  ])('refuses %s with exit 1 and a message naming the variable', async (_name, env, message) => {
    const run = await start(env);
    expect(run.output).toMatch(message);
    expect(run.code).toBe(1);
  });
});
