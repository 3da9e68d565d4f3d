// Packs each build into the file its store takes: release/tradetally-keys-<version>-chromium.zip
// (Chrome Web Store, Edge Add-ons) from dist/, release/tradetally-keys-<version>-firefox.zip
// (addons.mozilla.org) from dist-firefox/.
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';

const root = new URL('..', import.meta.url).pathname;
mkdirSync(join(root, 'release'), { recursive: true });

function pack(dir, browser, manifestFor) {
  const files = {};
  const walk = (at) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path);
    }
  };
  walk(dir);
  const manifest = manifestFor(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  files['manifest.json'] = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
  const out = join(root, 'release', `tradetally-keys-${manifest.version}-${browser}.zip`);
  writeFileSync(out, zipSync(files, { level: 9 }));
  console.log(`packed ${Object.keys(files).length} files into ${relative(process.cwd(), out)}`);
}

// The Chrome Web Store refuses a manifest with `key` ("key field is not allowed") and signs with its
// own key, so the upload goes without it; the store's id is then admitted with CORS_ORIGINS (README.md).
pack(join(root, 'dist'), 'chromium', ({ key: _key, ...manifest }) => manifest);
pack(join(root, 'dist-firefox'), 'firefox', (manifest) => manifest);
