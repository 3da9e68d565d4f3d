import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestApi } from './testing/harness.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const SPECTRAL = join(dirname(require.resolve('@stoplight/spectral-cli/package.json')), 'dist/index.js');
const RULESET = join(dirname(fileURLToPath(import.meta.url)), '../.spectral.yaml');

interface SpectralResult {
  code: string;
  message: string;
  path: string[];
  severity: number;
}

describe("the OpenAPI document under Spectral's OWASP API Security ruleset", () => {
  const ctx = useTestApi('sqlite', { PUBLIC_URL: 'https://keys.tradetally.dev' });
  const dir = mkdtempSync(join(tmpdir(), 'tt-spectral-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has no errors (deliberate exceptions are in apps/api/.spectral.yaml with their reasons)', async () => {
    const answer = await ctx.api.request('GET', '/docs-json');
    const file = join(dir, 'openapi.json');
    writeFileSync(file, answer.text);
    const { stdout } = await run(process.execPath, [SPECTRAL, 'lint', '--ruleset', RULESET, '--format', 'json', '--quiet', file], {
      maxBuffer: 32 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout || '[]', stderr: error.stderr }));
    const results = JSON.parse(stdout) as SpectralResult[];
    const errors = results.filter((r) => r.severity === 0).map((r) => `${r.code} ${r.path.join('.')}: ${r.message}`);
    if (process.env.SPECTRAL_REPORT) writeFileSync(process.env.SPECTRAL_REPORT, JSON.stringify(results, null, 1));
    expect(errors).toEqual([]);
  });
});
