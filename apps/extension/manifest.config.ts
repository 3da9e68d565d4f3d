import { defineManifest } from '@crxjs/vite-plugin';
import { ManagedPolicySchema } from '@tradetally/contracts';
import pkg from './package.json' with { type: 'json' };

/**
 * The public half of the key that pins the extension's id (EXTENSION_ID in @tradetally/contracts):
 * an unpacked build gets the same id on every machine, so the API can admit exactly its origin.
 * Only the public key is committed; the private half was never kept (the Chrome Web Store signs
 * with its own). README.md says how the id is derived and how to admit a store-published id.
 */
export const MANIFEST_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAiDsevRX1UGsj2+5i6x98r5q2V3VmvPcaouYyL+rE8X6+QB8aH7oVK4bad9dxTjbj5r9GkVgxdSk7/jpIiePtrYrBK5XjSx1MblJPEmZdn6FpSwtvKKiNR1TxFAsScfgi8+ZQ9zx8WSQtfkcTqVENG9I4OFKNQt9Z/YcPTI1XkMx2DBej1LJdiOWEzolGEGLcC3pF9eLGGdJU+EV8K9zUj6OujfehbHANSj9XR+xKmVGEDhfwDIp0gtF4hO4BhYnkH0Uq1rEVulHhxUbMdDYQgdRAtE/dF+pjp7mz7KD05hr8rbh4357rpaxYQ1HAWrsv6W+h276/n7xh44tjvAu3tQIDAQAB';

/** The Firefox add-on id (`browser_specific_settings.gecko.id`): Firefox has no `key`; this names the add-on on addons.mozilla.org. */
export const GECKO_ID = 'keys@tradetally.app';

/** Where the organisation's policy schema sits in the build (manifest `storage.managed_schema`). */
export const MANAGED_SCHEMA_FILE = 'managed_schema.json';

/** The keywords Chrome's policy schemas understand (a subset of JSON Schema): the rest is dropped. */
const POLICY_SCHEMA_KEYWORDS = new Set(['type', 'description', 'properties', 'items']);

function policySchema(node: unknown): unknown {
  if (Array.isArray(node) || typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([name]) => POLICY_SCHEMA_KEYWORDS.has(name))
      .map(([name, value]) =>
        name === 'properties' ? [name, Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, policySchema(v)]))] : [name, policySchema(value)],
      ),
  );
}

/** `managed_schema.json`, derived from ManagedPolicySchema in contracts: one shape, written once. */
export const managedSchema = () => policySchema(ManagedPolicySchema.toJSONSchema({ io: 'input' }));

/** What Firefox reads in a manifest, as far as this build writes one. */
export type Manifest = Record<string, unknown> & { background?: { service_worker?: string; scripts?: string[]; type?: string } };

/**
 * The Firefox manifest, from the built Chromium one: an add-on id instead of `key` (Firefox has
 * none), `background.scripts` next to `service_worker` (Firefox runs the same module as an event
 * page), the data the add-on sends declared (a leak report carries a key and a page's address, a
 * sign-in an e-mail and password, both only to the configured TradeTally API), and no
 * `storage.managed_schema` (Firefox takes an organisation's values from its enterprise policy
 * without one).
 */
export function firefoxManifest(chromium: Manifest): Manifest {
  const { key: _key, storage: _storage, ...rest } = chromium;
  const worker = chromium.background?.service_worker;
  if (!worker) throw new Error('the Chromium manifest names no service worker');
  return {
    ...rest,
    background: { ...chromium.background, scripts: [worker] },
    browser_specific_settings: {
      gecko: {
        id: GECKO_ID,
        // Manifest V3 with host permissions granted at install, storage.session, and data_collection_permissions.
        strict_min_version: '140.0',
        data_collection_permissions: { required: ['authenticationInfo', 'personallyIdentifyingInfo', 'browsingActivity'] },
      },
      // Firefox for Android reads data_collection_permissions from 142 on.
      gecko_android: { strict_min_version: '142.0' },
    },
  };
}

export default defineManifest({
  manifest_version: 3,
  key: MANIFEST_KEY,
  default_locale: 'en',
  name: '__MSG_extName__',
  description: '__MSG_extDescription__',
  version: pkg.version,
  icons: { '16': 'icon-16.png', '48': 'icon-48.png', '128': 'icon-128.png' },
  action: { default_title: '__MSG_extName__', default_popup: 'src/popup/index.html', default_icon: { '16': 'icon-16.png', '48': 'icon-48.png' } },
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
  // What an organisation may set (apiUrl, blockLivePastesOn, allowIgnore, autoRevoke): Chrome passes
  // a policy's `3rdparty.extensions.<id>` values to chrome.storage.managed only for a declared schema.
  storage: { managed_schema: MANAGED_SCHEMA_FILE },
});
