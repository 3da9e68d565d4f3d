import { z } from 'zod';
import { API_KEY_ENVIRONMENTS } from './key-format.js';
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
});

/** An API key as the API shows it. */
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** An expiry a client may ask for: in the future, at most 366 days ahead; null means no expiry. */
export const KeyExpirySchema = TimestampInputSchema.nullable().superRefine((value, ctx) => {
  if (value === null) return;
  const at = Date.parse(value);
  const now = Date.now();
  if (at <= now) ctx.addIssue({ code: 'custom', message: 'expiresAt must be in the future' });
  else if (at > now + MAX_KEY_LIFETIME_DAYS * 86_400_000)
    ctx.addIssue({ code: 'custom', message: `expiresAt must be at most ${MAX_KEY_LIFETIME_DAYS} days ahead` });
});

/** Body of `POST /v1/api-keys`. */
export const CreateApiKeyRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scope: ApiKeyScopeSchema,
  environment: ApiKeyEnvironmentSchema.default('live'),
  expiresAt: KeyExpirySchema.optional(),
});

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

/** Query of `GET /v1/api-keys`. */
export const ListApiKeysQuerySchema = PageQuerySchema.extend({
  status: z.enum(['active', 'all']).default('all'),
});

/** Query of `GET /v1/api-keys`. */
export type ListApiKeysQuery = z.infer<typeof ListApiKeysQuerySchema>;

/** Answer of `GET /v1/api-keys`. */
export const ApiKeyPageSchema = pageSchema(ApiKeySchema);
