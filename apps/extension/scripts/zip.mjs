// Packs dist/ into release/tradetally-keys-<version>.zip, the file a store upload takes.
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const { version } = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
const files = {};
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else files[relative(dist, path)] = readFileSync(path);
  }
};
walk(dist);
// The store refuses a manifest with `key` ("key field is not allowed") and signs with its own key,
// so the upload goes without it; the store's id is then admitted with CORS_ORIGINS (README.md).
const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
delete manifest.key;
files['manifest.json'] = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
mkdirSync(join(root, 'release'), { recursive: true });
const out = join(root, 'release', `tradetally-keys-${version}.zip`);
writeFileSync(out, zipSync(files, { level: 9 }));
console.log(`packed ${Object.keys(files).length} files into ${relative(process.cwd(), out)}`);
