import { defineManifest } from '@crxjs/vite-plugin';
import pkg from './package.json' with { type: 'json' };

/**
 * The public half of the key that pins the extension's id (EXTENSION_ID in @tradetally/contracts):
 * an unpacked build gets the same id on every machine, so the API can admit exactly its origin.
 * Only the public key is committed; the private half was never kept (the Chrome Web Store signs
 * with its own). README.md says how the id is derived and how to admit a store-published id.
 */
export const MANIFEST_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAiDsevRX1UGsj2+5i6x98r5q2V3VmvPcaouYyL+rE8X6+QB8aH7oVK4bad9dxTjbj5r9GkVgxdSk7/jpIiePtrYrBK5XjSx1MblJPEmZdn6FpSwtvKKiNR1TxFAsScfgi8+ZQ9zx8WSQtfkcTqVENG9I4OFKNQt9Z/YcPTI1XkMx2DBej1LJdiOWEzolGEGLcC3pF9eLGGdJU+EV8K9zUj6OujfehbHANSj9XR+xKmVGEDhfwDIp0gtF4hO4BhYnkH0Uq1rEVulHhxUbMdDYQgdRAtE/dF+pjp7mz7KD05hr8rbh4357rpaxYQ1HAWrsv6W+h276/n7xh44tjvAu3tQIDAQAB';

export default defineManifest({
  manifest_version: 3,
  key: MANIFEST_KEY,
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
