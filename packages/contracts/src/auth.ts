import { z } from 'zod';
import { IdSchema, TimestampSchema } from './common.js';

/** A user as the API shows it; `emailVerifiedAt` is null until the address is confirmed. */
export const UserSchema = z.object({ id: IdSchema, email: z.email(), createdAt: TimestampSchema, emailVerifiedAt: TimestampSchema.nullable() });

/** A user as the API shows it. */
export type User = z.infer<typeof UserSchema>;

/** Shortest accepted password. */
export const PASSWORD_MIN_LENGTH = 12;

/** Longest accepted password. */
export const PASSWORD_MAX_LENGTH = 256;

const EmailInput = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email())
  .transform((s) => s.toLowerCase());

/** Body of `POST /v1/auth/register`. */
export const RegisterRequestSchema = z.strictObject({
  email: EmailInput,
  password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH),
});

/** Body of `POST /v1/auth/register`. */
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

/** Who a session is for: the settings page (full access) or the browser extension (security.md: read and report only). */
export const SessionClientSchema = z.enum(['web', 'extension']);

/** Who a session is for. */
export type SessionClient = z.infer<typeof SessionClientSchema>;

/** Body of `POST /v1/auth/login`; any password length is accepted here so that old ones still work. */
export const LoginRequestSchema = z.strictObject({
  email: EmailInput,
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  client: SessionClientSchema.default('web'),
  /**
   * The device token an earlier sign-in answered, for clients without cookies (the extension): it
   * proves this device signed in before, so the account-wide ceiling does not lock it out.
   */
  deviceToken: z.string().min(1).max(1024).optional(),
});

/** Body of `POST /v1/auth/login`. */
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** Answer of `POST /v1/auth/register` and `GET /v1/me`. */
export const UserResponseSchema = z.object({ user: UserSchema });

/** Answer of `POST /v1/auth/register` and `GET /v1/me`. */
export type UserResponse = z.infer<typeof UserResponseSchema>;

/**
 * Answer of `POST /v1/auth/login`: a session token (never an API key) and when it expires, and the
 * device token (also set as the `tt_device` cookie) that a later sign-in presents to prove it
 * comes from a known device (security.md "The owner is not locked out by the account-wide ceiling").
 */
export const LoginResponseSchema = z.object({
  token: z.string(),
  expiresAt: TimestampSchema,
  user: UserSchema,
  deviceToken: z.string(),
});

/** Answer of `POST /v1/auth/login`. */
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

/** Body of `POST /v1/auth/verify-email`: the token from the confirmation link. */
export const VerifyEmailRequestSchema = z.strictObject({ token: z.string().min(1).max(200) });

/** Body of `POST /v1/auth/verify-email`. */
export type VerifyEmailRequest = z.infer<typeof VerifyEmailRequestSchema>;
