import { defineManifest } from '@crxjs/vite-plugin';
import pkg from './package.json' with { type: 'json' };

export default defineManifest({
  manifest_version: 3,
  name: 'TradeTally Keys',
  description: 'Warns you when a TradeTally API key is pasted into or shown on a web page, and revokes it in one click.',
  version: pkg.version,
  icons: { '16': 'icon-16.png', '48': 'icon-48.png', '128': 'icon-128.png' },
  action: { default_title: 'TradeTally Keys', default_popup: 'src/popup/index.html', default_icon: { '16': 'icon-16.png', '48': 'icon-48.png' } },
  options_page: 'src/options/index.html',
  background: { service_worker: 'src/background/index.ts', type: 'module' },
  content_scripts: [
    {
      matches: ['<all_urls>'],
      js: ['src/content/main.iife.ts'],
      all_frames: true,
      match_about_blank: true,
      run_at: 'document_start',
    },
  ],
  // storage: settings, session, detections (never a key); notifications: the live-key alert.
  permissions: ['storage', 'notifications'],
  // Only to reach the TradeTally API (any https address, or a local one); pages are read by the content script.
  host_permissions: ['http://localhost/*', 'http://127.0.0.1/*', 'https://*/*'],
});
