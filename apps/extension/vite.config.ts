import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crx } from '@crxjs/vite-plugin';
import { type Plugin, defineConfig } from 'vite';
import manifest, { MANAGED_SCHEMA_FILE, type Manifest, firefoxManifest, managedSchema } from './manifest.config.js';

const root = new URL('.', import.meta.url).pathname;

/** Emits managed_schema.json from the contracts' ManagedPolicySchema. */
const managedSchemaFile = (): Plugin => ({
  name: 'tradetally-managed-schema',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: MANAGED_SCHEMA_FILE, source: `${JSON.stringify(managedSchema(), null, 2)}\n` });
  },
});

/** Copies the finished Chromium build to dist-firefox with the Firefox manifest: the code is the same. */
const firefoxBuild = (): Plugin => ({
  name: 'tradetally-firefox',
  apply: 'build',
  closeBundle() {
    const from = join(root, 'dist');
    const to = join(root, 'dist-firefox');
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true });
    const chromium = JSON.parse(readFileSync(join(from, 'manifest.json'), 'utf8')) as Manifest;
    writeFileSync(join(to, 'manifest.json'), `${JSON.stringify(firefoxManifest(chromium), null, 2)}\n`);
  },
});

export default defineConfig({
  plugins: [crx({ manifest }), managedSchemaFile(), firefoxBuild()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: { cors: { origin: [/chrome-extension:\/\//] } },
});
