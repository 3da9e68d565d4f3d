import { z } from 'zod';
import { normaliseAllowedIp } from './allowed-ips.js';
import { API_KEY_ENVIRONMENTS, isValidApiKey } from './key-format.js';
import { DAY_MS } from './time.js';
import { IdSchema, PageQuerySchema, TimestampInputSchema, TimestampSchema, pageSchema } from './common.js';

/** `read`: GET on journal routes only; `read_write`: every journal route. */
export const API_KEY_SCOPES = ['read', 'read_write'] as const;

/** Zod schema of a key scope. */
export const ApiKeyScopeSchema = z.enum(API_KEY_SCOPES);

/** A key scope. */
export type ApiKeyScope = z.infer<typeof ApiKeyScopeSchema>;

/** Zod schema of a key environment. */
export const ApiKeyEnvironmentSchema = z.enum(API_KEY_ENVIRONMENTS);

/** A key's status, always computed against the current time. */
export const ApiKeyStatusSchema = z.enum(['active', 'expired', 'revoked']);

/** A key's status. */
export type ApiKeyStatus = z.infer<typeof ApiKeyStatusSchema>;

/** Why a key was revoked. */
export const RevokeReasonSchema = z.enum(['user', 'rotated', 'leak_reported']);

/** Why a key was revoked. */
export type RevokeReason = z.infer<typeof RevokeReasonSchema>;

/** The longest lifetime a key may be given, in days. */
export const MAX_KEY_LIFETIME_DAYS = 366;

/** The longest rotation grace period, in minutes (7 days). */
export const MAX_GRACE_PERIOD_MINUTES = 10080;

/** Most entries a key's `allowedIps` may hold. */
export const MAX_ALLOWED_IPS = 20;

/** Longest `lastUsedUserAgent` kept, in characters. */
export const MAX_USER_AGENT_LENGTH = 200;

/**
 * One entry of `allowedIps`: an IPv4 or IPv6 address, or a CIDR range of either, normalised by
 * `normaliseAllowedIp` (IPv4-mapped entries stored as IPv4; host bits set or `/0` refused).
 */
export const AllowedIpSchema = z
  .union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: 'must be an IPv4 or IPv6 address or CIDR' })
  .transform((entry, ctx) => {
    const normalised = normaliseAllowedIp(entry);
    if (normalised.ok) return normalised.value;
    ctx.addIssue({ code: 'custom', message: normalised.error });
    return z.NEVER;
  });

/** `allowedIps` as a client sends it: 1..20 addresses or CIDRs. */
export const AllowedIpsSchema = z.array(AllowedIpSchema).min(1).max(MAX_ALLOWED_IPS);

/** An API key as the API shows it: never the secret, only `prefix` and `last4`. */
export const ApiKeySchema = z.object({
  id: IdSchema,
  name: z.string(),
  scope: ApiKeyScopeSchema,
  environment: ApiKeyEnvironmentSchema,
  prefix: z.string(),
  last4: z.string(),
  status: ApiKeyStatusSchema,
  createdAt: TimestampSchema,
  expiresAt: TimestampSchema.nullable(),
  lastUsedAt: TimestampSchema.nullable(),
  revokedAt: TimestampSchema.nullable(),
  revokeReason: RevokeReasonSchema.nullable(),
  rotatedFromId: IdSchema.nullable(),
  rotatedToId: IdSchema.nullable(),
  graceEndsAt: TimestampSchema.nullable(),
  /** A decoy: every use answers as an unknown key would, and alerts the owner. */
  canary: z.boolean(),
  /** The key may rotate itself (`POST /v1/api-keys/self/rotate`). */
  selfRotate: z.boolean(),
  /** Client addresses or CIDRs the key works from; null = anywhere. */
  allowedIps: z.array(z.string()).nullable(),
  lastUsedIp: z.string().nullable(),
  lastUsedUserAgent: z.string().nullable(),
  /** `createdAt` + ROTATION_AGE_DAYS; null when that is off or the key is a canary. */
  rotationDueAt: TimestampSchema.nullable(),
});

/** An API key as the API shows it. */
export type ApiKey = z.infer<typeof ApiKeySchema>;

/**
 * What `GET /v1/api-keys/self` answers a key about itself: its own settings, never where or by
 * what client it was last used (a thief holding the key must not learn the real integration's
 * address and client; the owner's session sees those in `ApiKey`).
 */
export const ApiKeySelfSchema = ApiKeySchema.pick({
  id: true,
  name: true,
  scope: true,
  environment: true,
  prefix: true,
  last4: true,
  status: true,
  createdAt: true,
  expiresAt: true,
  rotationDueAt: true,
  selfRotate: true,
  allowedIps: true,
  graceEndsAt: true,
  rotatedToId: true,
});

/** What `GET /v1/api-keys/self` answers. */
export type ApiKeySelf = z.infer<typeof ApiKeySelfSchema>;

/** The fields of `ApiKeySelfSchema`, to cut an `ApiKey` down to them. */
export const API_KEY_SELF_FIELDS = Object.keys(ApiKeySelfSchema.shape) as Array<keyof ApiKeySelf>;

/**
 * A key in the answer of `POST /v1/api-keys/self/rotate`: what the key sees of itself, plus the key
 * the successor was rotated from (the caller held it already), so the answer still links the two
 * as a session rotation's does.
 */
export const SelfRotatedKeySchema = ApiKeySelfSchema.extend({ rotatedFromId: ApiKeySchema.shape.rotatedFromId });

/** A key as a self-rotation answers it. */
export type SelfRotatedKey = z.infer<typeof SelfRotatedKeySchema>;

/** The fields of `SelfRotatedKeySchema`. */
export const SELF_ROTATED_KEY_FIELDS = Object.keys(SelfRotatedKeySchema.shape) as Array<keyof SelfRotatedKey>;

/** An expiry a client may ask for: in the future, at most 366 days ahead; null means no expiry. */
export const KeyExpirySchema = TimestampInputSchema.nullable().superRefine((value, ctx) => {
  if (value === null) return;
  const at = Date.parse(value);
  const now = Date.now();
  if (at <= now) ctx.addIssue({ code: 'custom', message: 'expiresAt must be in the future' });
  else if (at > now + MAX_KEY_LIFETIME_DAYS * DAY_MS)
    ctx.addIssue({ code: 'custom', message: `expiresAt must be at most ${MAX_KEY_LIFETIME_DAYS} days ahead` });
});

/** Longest key name, in characters. */
export const MAX_KEY_NAME_LENGTH = 100;

/** A key's name: 1..100 characters, trimmed. */
export const ApiKeyNameSchema = z.string().trim().min(1).max(MAX_KEY_NAME_LENGTH);

/** Body of `POST /v1/api-keys`. */
export const CreateApiKeyRequestSchema = z
  .strictObject({
    name: ApiKeyNameSchema,
    scope: ApiKeyScopeSchema,
    environment: ApiKeyEnvironmentSchema.default('live'),
    expiresAt: KeyExpirySchema.optional(),
    canary: z.boolean().default(false),
    selfRotate: z.boolean().default(false),
    allowedIps: AllowedIpsSchema.optional(),
  })
  .refine((body) => !(body.canary && body.selfRotate), { path: ['selfRotate'], message: 'a canary key cannot rotate itself' });

/** Body of `POST /v1/api-keys`. */
export type CreateApiKeyRequest = z.input<typeof CreateApiKeyRequestSchema>;

/** Answer of `POST /v1/api-keys`: `secret` is the whole key, shown this once. */
export const CreateApiKeyResponseSchema = z.object({ apiKey: ApiKeySchema, secret: z.string() });

/** Answer of `POST /v1/api-keys`. */
export type CreateApiKeyResponse = z.infer<typeof CreateApiKeyResponseSchema>;

/** Body of `POST /v1/api-keys/:id/rotate`. */
export const RotateApiKeyRequestSchema = z.strictObject({
  gracePeriodMinutes: z.number().int().min(0).max(MAX_GRACE_PERIOD_MINUTES).default(0),
  expiresAt: KeyExpirySchema.optional(),
});

/** Body of `POST /v1/api-keys/:id/rotate`. */
export type RotateApiKeyRequest = z.input<typeof RotateApiKeyRequestSchema>;

/** Answer of `POST /v1/api-keys/:id/rotate`: the new key (secret shown once) and the old one. */
export const RotateApiKeyResponseSchema = z.object({
  apiKey: ApiKeySchema,
  secret: z.string(),
  previous: ApiKeySchema,
});

/** Answer of `POST /v1/api-keys/:id/rotate`. */
export type RotateApiKeyResponse = z.infer<typeof RotateApiKeyResponseSchema>;

/** Body of `PATCH /v1/api-keys/:id`: a new name and/or allowed addresses (`null` clears them). */
export const UpdateApiKeyRequestSchema = z
  .strictObject({ name: ApiKeyNameSchema.optional(), allowedIps: AllowedIpsSchema.nullable().optional() })
  .refine((body) => body.name !== undefined || body.allowedIps !== undefined, 'give a name or allowedIps');

/** Body of `PATCH /v1/api-keys/:id`. */
export type UpdateApiKeyRequest = z.input<typeof UpdateApiKeyRequestSchema>;

/** Default grace of a self-rotation, in minutes: an integration has an hour to switch. */
export const SELF_ROTATE_DEFAULT_GRACE_MINUTES = 60;

/** The longest grace a key may give itself when it self-rotates, in minutes (24 hours); the owner's session may give up to 7 days. */
export const MAX_SELF_ROTATE_GRACE_MINUTES = 1440;

/** Body of `POST /v1/api-keys/self/rotate`. */
export const SelfRotateRequestSchema = z.strictObject({
  gracePeriodMinutes: z.number().int().min(0).max(MAX_SELF_ROTATE_GRACE_MINUTES).default(SELF_ROTATE_DEFAULT_GRACE_MINUTES),
});

/** Body of `POST /v1/api-keys/self/rotate`. */
export type SelfRotateRequest = z.input<typeof SelfRotateRequestSchema>;

/** Answer of `POST /v1/api-keys/self/rotate`: the new key (secret shown once) and the old one, each as `self` shows a key. */
export const SelfRotateResponseSchema = z.object({
  apiKey: SelfRotatedKeySchema,
  secret: z.string(),
  previous: SelfRotatedKeySchema,
});

/** Answer of `POST /v1/api-keys/self/rotate`. */
export type SelfRotateResponse = z.infer<typeof SelfRotateResponseSchema>;

/** Body of `POST /v1/api-keys/lookup`: a whole key, checksum-valid. */
export const LookupApiKeyRequestSchema = z.strictObject({
  key: z
    .string()
    .trim()
    .refine((key) => isValidApiKey(key), 'must be a TradeTally API key'),
});

/** Body of `POST /v1/api-keys/lookup`. */
export type LookupApiKeyRequest = z.input<typeof LookupApiKeyRequestSchema>;

/** Most days `GET /v1/api-keys/:id/usage` answers. */
export const MAX_USAGE_DAYS = 90;

/** Query of `GET /v1/api-keys/:id/usage`. */
export const UsageQuerySchema = z.strictObject({ days: z.coerce.number().int().min(1).max(MAX_USAGE_DAYS).default(30) });

/** Query of `GET /v1/api-keys/:id/usage`. */
export type UsageQuery = z.infer<typeof UsageQuerySchema>;

/** One UTC day of a key's use: accepted requests and requests refused for scope, address, expiry or revocation. */
export const UsageDaySchema = z.object({ date: z.iso.date(), requests: z.number().int().min(0), rejected: z.number().int().min(0) });

/** One UTC day of a key's use. */
export type UsageDay = z.infer<typeof UsageDaySchema>;

/** Answer of `GET /v1/api-keys/:id/usage`: one entry per UTC day, oldest first, zero days included. */
export const UsageResponseSchema = z.object({ data: z.array(UsageDaySchema) });

/** Answer of `GET /v1/api-keys/:id/usage`. */
export type UsageResponse = z.infer<typeof UsageResponseSchema>;

/** Query of `GET /v1/api-keys`. */
export const ListApiKeysQuerySchema = PageQuerySchema.extend({
  status: z.enum(['active', 'all']).default('all'),
});

/** Query of `GET /v1/api-keys`. */
export type ListApiKeysQuery = z.infer<typeof ListApiKeysQuerySchema>;

/** Answer of `GET /v1/api-keys`. */
export const ApiKeyPageSchema = pageSchema(ApiKeySchema);
