import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GECKO_ID } from '../manifest.config.js';

// The Firefox build (`npm run build` writes dist-firefox/ and its zip), checked by Mozilla's own
// linter, as addons.mozilla.org checks an upload.

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist-firefox');
const webExt = join(root, '../../node_modules/.bin/web-ext');

interface LintMessage {
  code: string;
  message: string;
  file?: string;
}

describe('the Firefox build', () => {
  it('names its add-on id and runs its background as scripts, from the same code as Chromium', () => {
    const firefox = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
    const chromium = JSON.parse(readFileSync(join(root, 'dist/manifest.json'), 'utf8'));
    expect(firefox.browser_specific_settings.gecko.id).toBe(GECKO_ID);
    expect(firefox.background.scripts).toEqual([chromium.background.service_worker]);
    expect(firefox).not.toHaveProperty('key');
    expect(readFileSync(join(dist, chromium.content_scripts[0].js[0]))).toEqual(readFileSync(join(root, 'dist', chromium.content_scripts[0].js[0])));
    expect(existsSync(join(root, `release/tradetally-keys-${firefox.version}-firefox.zip`))).toBe(true);
  });

  it('passes web-ext lint with 0 errors', async () => {
    // web-ext exits 1 when the linter reports errors: the JSON on stdout says which.
    const run = await promisify(execFile)(webExt, ['lint', '--source-dir', dist, '--output', 'json', '--no-input'], { maxBuffer: 16 << 20 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '{}' }),
    );
    const report = JSON.parse(run.stdout) as { summary: { errors: number }; errors: LintMessage[]; warnings: LintMessage[] };
    expect(report.errors.map((e) => `${e.code} ${e.file ?? ''}: ${e.message}`)).toEqual([]);
    expect(report.summary.errors).toBe(0);
  });
});
