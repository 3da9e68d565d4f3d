import { z } from 'zod';
import { ApiKeyEnvironmentSchema, ApiKeySchema } from './api-keys.js';
import { LeakSourceSchema } from './leaks.js';

/** Where the extension noticed a key. */
export const DetectionSourceSchema = z.enum(['paste', 'input', 'page']);

/** Where the extension noticed a key. */
export type DetectionSource = z.infer<typeof DetectionSourceSchema>;

/** What the extension did about a detection. */
export const DetectionActionSchema = z.enum(['warned', 'blocked', 'revoked', 'auto_revoked', 'ignored', 'dismissed']);

/** What the extension did about a detection. */
export type DetectionAction = z.infer<typeof DetectionActionSchema>;

/** A key as the extension may keep it: display parts and a SHA-256 fingerprint, never the key. */
export const DetectedKeySchema = z.object({
  prefix: z.string(),
  last4: z.string().length(4),
  env: ApiKeyEnvironmentSchema,
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
});

/** A key as the extension may keep it. */
export type DetectedKey = z.infer<typeof DetectedKeySchema>;

/** One stored detection (extension.md "What it keeps"). */
export const DetectionSchema = DetectedKeySchema.extend({
  site: z.string(),
  time: z.iso.datetime(),
  source: DetectionSourceSchema,
  action: DetectionActionSchema,
});

/** One stored detection. */
export type Detection = z.infer<typeof DetectionSchema>;

/** The extension's settings, as the user chose them (chrome.storage.local). */
export const ExtensionSettingsSchema = z.object({
  apiUrl: z.url(),
  blockLivePastes: z.boolean(),
  autoRevokePageKeys: z.boolean(),
  ignoredSites: z.array(z.string().max(253)).max(100_000),
});

/** The extension's settings, as the user chose them. */
export type ExtensionSettings = z.infer<typeof ExtensionSettingsSchema>;

/**
 * What an organisation may set through managed storage (Chrome's `3rdparty.extensions.<id>`
 * policy): each key it sets wins over the user's choice. `blockLivePastesOn` lists host patterns
 * (`chat.example`, `*.example.com`, `*`) where a live key's paste is always stopped; `allowIgnore:
 * false` hides every "ignore this site" control and ignores no site; `autoRevoke` fixes "revoke
 * live keys found in page content automatically". The build derives `managed_schema.json` from it.
 */
export const ManagedPolicySchema = z.object({
  apiUrl: z.url().optional().describe('The TradeTally API address the extension reports to and signs in at.'),
  blockLivePastesOn: z
    .array(z.string().max(253))
    .max(1000)
    .optional()
    .describe('Host patterns where the paste of a live key is always stopped: "chat.example", "*.example.com", or "*" for every site.'),
  allowIgnore: z.boolean().optional().describe('false hides every "Ignore on this site" control, and no site is ignored.'),
  autoRevoke: z.boolean().optional().describe('Revoke live keys found in page content automatically (true) or never (false).'),
});

/** What an organisation may set through managed storage. */
export type ManagedPolicy = z.infer<typeof ManagedPolicySchema>;

/** Settings as the options page shows them: the user's own choices and what the organisation set. */
export const SettingsViewSchema = z.object({ settings: ExtensionSettingsSchema, managed: ManagedPolicySchema });

/** Settings as the options page shows them. */
export type SettingsView = z.infer<typeof SettingsViewSchema>;

/**
 * The extension's id, pinned by the manifest's `key` (apps/extension/manifest.config.ts), so the
 * API can admit `chrome-extension://<EXTENSION_ID>` as a CORS origin without importing browser code.
 */
export const EXTENSION_ID = 'mlofkhddmmdibghmjdjchcffckafnjfh';

/**
 * What a content script may send (security.md): what it found, a report, a dismissal made with a
 * trusted click. Everything it names about its page (the site, the tab) the background derives
 * from the message's sender instead, so a page cannot speak for another site. Silencing the
 * extension ("ignore this site") is not among them: only extension-owned UI may ask for it.
 */
export const ContentScriptMessageSchema = z.discriminatedUnion('type', [
  /** The content script found keys: record them, update the badge, maybe notify. */
  z.object({ type: z.literal('keys-detected'), source: DetectionSourceSchema, keys: z.array(DetectedKeySchema) }),
  /** Report a key to `POST /v1/leaks`; the key lives only in this message, never in storage. `url` is absent for opaque-origin frames. */
  z.object({ type: z.literal('report-leak'), key: z.string(), source: LeakSourceSchema, url: z.string().optional() }),
  /** Record that the user dismissed a detection on the sender's site (the only choice a page's warning records). */
  z.object({ type: z.literal('record-action'), fingerprint: z.string(), action: DetectionActionSchema.extract(['dismissed']) }),
  /** SHA-256 of a key, for a page without `crypto.subtle` (plain http): the answer is the fingerprint, nothing is kept. */
  z.object({ type: z.literal('fingerprint'), key: z.string().max(200) }),
  /**
   * Find out whether this key is the signed-in user's own (`POST /v1/api-keys/lookup`, budgeted per
   * tab). The answer goes to the popup and the notification only, never back to the page's frame.
   */
  z.object({ type: z.literal('lookup-key'), key: z.string().max(200) }),
]);

/** What a content script may send. */
export type ContentScriptMessage = z.infer<typeof ContentScriptMessageSchema>;

/** What only the extension's own pages (popup, options) may send: settings, account, history. */
export const ExtensionPageMessageSchema = z.discriminatedUnion('type', [
  /** Stop warning on a site (the popup's or the options page's "Ignore on this site"); refused when the organisation forbids ignoring. */
  z.object({ type: z.literal('ignore-site'), site: z.string().min(1).max(253) }),
  /** Read the settings (popup, options page). */
  z.object({ type: z.literal('get-settings') }),
  /** Change some settings (options page); a new API origin signs the extension out. */
  z.object({ type: z.literal('update-settings'), settings: ExtensionSettingsSchema.partial() }),
  /** Sign in to the configured API with a TradeTally account (an extension session). */
  z.object({ type: z.literal('sign-in'), email: z.string(), password: z.string() }),
  /** Forget the session. */
  z.object({ type: z.literal('sign-out') }),
  /** The popup's data: this tab's keys, detections, signed-in user, keys expiring soon. `tabId` names the tab it speaks for. */
  z.object({ type: z.literal('get-popup-state'), tabId: z.number().int().nonnegative().optional() }),
  /** Forget every stored detection. */
  z.object({ type: z.literal('clear-history') }),
]);

/** What only the extension's own pages may send. */
export type ExtensionPageMessage = z.infer<typeof ExtensionPageMessageSchema>;

/** Every message sent to the background service worker; `type` picks the handler. */
export const ExtensionMessageSchema = z.discriminatedUnion('type', [...ContentScriptMessageSchema.options, ...ExtensionPageMessageSchema.options]);

/** Every message sent to the background service worker. */
export type ExtensionMessage = z.infer<typeof ExtensionMessageSchema>;

/** The message types a content script may send; every other type needs an extension page. */
export const CONTENT_SCRIPT_MESSAGE_TYPES: ReadonlySet<ExtensionMessage['type']> = new Set(ContentScriptMessageSchema.options.map((o) => o.shape.type.value));

/** The answer to `report-leak`: `revoked` lists the ids the signed-in owner saw revoked. */
export const ReportLeakResultSchema = z.object({
  ok: z.boolean(),
  revoked: z.array(z.string()).optional(),
  error: z.string().optional(),
});

/** The answer to `report-leak`. */
export type ReportLeakResult = z.infer<typeof ReportLeakResultSchema>;

/** What the popup and the notification say about a key that is the signed-in user's own (never the in-page warning). */
export const OwnKeySchema = ApiKeySchema.pick({ name: true, scope: true, environment: true, status: true, lastUsedAt: true });

/** What the popup and the notification say about the user's own key. */
export type OwnKey = z.infer<typeof OwnKeySchema>;

/** A key found in a tab, as the popup shows it: where, and whether it is the signed-in user's own. */
export const TabKeySchema = DetectedKeySchema.omit({ fingerprint: true }).extend({ site: z.string(), owner: OwnKeySchema.nullable() });

/** A key found in a tab, as the popup shows it. */
export type TabKey = z.infer<typeof TabKeySchema>;

/** A site keys were found on in a tab, and whether the user ignores it. */
export const TabSiteSchema = z.object({ site: z.string(), ignored: z.boolean() });

/** A site keys were found on in a tab. */
export type TabSite = z.infer<typeof TabSiteSchema>;

/** The answer to `get-popup-state`. */
export const PopupStateSchema = z.object({
  /** The tab the popup was opened over: its keys (this page load) and sites; null when it names none. */
  tab: z.object({ keys: z.array(TabKeySchema), more: z.number().int(), sites: z.array(TabSiteSchema) }).nullable(),
  /** False when the organisation forbids ignoring sites: no ignore control is shown. */
  allowIgnore: z.boolean(),
  detections: z.array(DetectionSchema),
  /** The history is full: later detections are not kept until it is cleared (a flood never evicts older entries). */
  historyFull: z.boolean(),
  signedInAs: z.string().nullable(),
  expiringSoon: z.array(ApiKeySchema),
  settingsUrl: z.string(),
});

/** The answer to `get-popup-state`. */
export type PopupState = z.infer<typeof PopupStateSchema>;

/** The answer each message type gets from the background. */
export interface ExtensionResponses {
  'keys-detected': { ignored: boolean };
  'report-leak': ReportLeakResult;
  'record-action': { ok: true };
  fingerprint: { fingerprint: string };
  'lookup-key': { ok: true };
  'ignore-site': { ok: boolean; error?: string };
  'get-settings': SettingsView;
  'update-settings': SettingsView;
  'sign-in': { ok: boolean; email?: string; error?: string };
  'sign-out': { ok: true };
  'get-popup-state': PopupState;
  'clear-history': { ok: true };
}
