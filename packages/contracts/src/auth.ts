import { z } from 'zod';
import { IdSchema, TimestampSchema } from './common.js';

/** A user as the API shows it. */
export const UserSchema = z.object({ id: IdSchema, email: z.email(), createdAt: TimestampSchema });

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

/** Body of `POST /v1/auth/login`; any password length is accepted here so that old ones still work. */
export const LoginRequestSchema = z.strictObject({
  email: EmailInput,
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});

/** Body of `POST /v1/auth/login`. */
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** Answer of `POST /v1/auth/register` and `GET /v1/me`. */
export const UserResponseSchema = z.object({ user: UserSchema });

/** Answer of `POST /v1/auth/register` and `GET /v1/me`. */
export type UserResponse = z.infer<typeof UserResponseSchema>;

/** Answer of `POST /v1/auth/login`: a session token (never an API key) and when it expires. */
export const LoginResponseSchema = z.object({
  token: z.string(),
  expiresAt: TimestampSchema,
  user: UserSchema,
});

/** Answer of `POST /v1/auth/login`. */
export type LoginResponse = z.infer<typeof LoginResponseSchema>;
