import { defineManifest } from '@crxjs/vite-plugin';
import pkg from './package.json' with { type: 'json' };

export default defineManifest({
  manifest_version: 3,
  name: 'TradeTally Keys',
  description: 'Warns you when a TradeTally API key is pasted into or shown on a web page, and revokes it in one click.',
  version: pkg.version,
  action: { default_title: 'TradeTally Keys', default_popup: 'src/popup/index.html' },
  options_page: 'src/options/index.html',
  background: { service_worker: 'src/background/index.ts', type: 'module' },
  content_scripts: [
    {
      matches: ['<all_urls>'],
      js: ['src/content/index.ts'],
      all_frames: true,
      match_about_blank: true,
      run_at: 'document_start',
    },
  ],
  permissions: ['storage', 'notifications'],
  host_permissions: ['http://localhost/*', 'http://127.0.0.1/*', 'https://*/*'],
});
