import { z } from 'zod';

/** Every stable error `code` the API answers with; a client may switch on these. */
export const ERROR_CODES = [
  'validation_failed',
  'unauthenticated',
  'invalid_api_key',
  'api_key_expired',
  'api_key_revoked',
  'insufficient_scope',
  'session_required',
  'rate_limited',
  'email_taken',
  'invalid_credentials',
  'not_found',
  'not_rotatable',
  'external_id_taken',
  'payload_too_large',
  'unsupported_media_type',
  'internal_error',
  'invalid_token',
  'api_key_required',
  'self_rotation_disabled',
  'ip_not_allowed',
  'invalid_signature',
  'service_unavailable',
  'request_header_too_large',
  'bad_request',
  'idempotency_key_reused',
  'idempotency_in_progress',
] as const;

/** A stable machine-readable error word. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Zod schema of an error code. */
export const ErrorCodeSchema = z.enum(ERROR_CODES);

/** One field problem of a validation failure: `path` is dotted (`trades.3.price`), empty for the body. */
export const FieldErrorSchema = z.object({ path: z.string(), message: z.string() });

/** One field problem of a validation failure. */
export type FieldError = z.infer<typeof FieldErrorSchema>;

/** RFC 9457 problem details, the body of every error (`application/problem+json`). */
export const ProblemDetailsSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: ErrorCodeSchema,
  errors: z.array(FieldErrorSchema).optional(),
  /** The request's id, as its `Request-Id` header says: quote it to the operator. */
  requestId: z.string().max(64).optional(),
});

/** RFC 9457 problem details with this project's `code`. */
export type ProblemDetails = z.infer<typeof ProblemDetailsSchema>;

/** The HTTP status of every error code: the one place codes map to statuses (exhaustive). */
export function statusOfErrorCode(code: ErrorCode): number {
  switch (code) {
    case 'validation_failed':
    case 'invalid_token':
    case 'bad_request':
      return 400;
    case 'unauthenticated':
    case 'invalid_api_key':
    case 'api_key_expired':
    case 'api_key_revoked':
    case 'invalid_credentials':
    case 'invalid_signature':
      return 401;
    case 'insufficient_scope':
    case 'session_required':
    case 'api_key_required':
    case 'self_rotation_disabled':
    case 'ip_not_allowed':
      return 403;
    case 'not_found':
      return 404;
    case 'email_taken':
    case 'not_rotatable':
    case 'external_id_taken':
    case 'idempotency_in_progress':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'idempotency_key_reused':
      return 422;
    case 'rate_limited':
      return 429;
    case 'request_header_too_large':
      return 431;
    case 'internal_error':
      return 500;
    case 'service_unavailable':
      return 503;
    default: {
      const unreachable: never = code;
      throw new Error(`unmapped error code ${String(unreachable)}`);
    }
  }
}

/** A short human title for every error code, used as the problem's `title`. */
export const ERROR_TITLES: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  unauthenticated: 'Authentication required',
  invalid_api_key: 'Invalid API key',
  api_key_expired: 'API key expired',
  api_key_revoked: 'API key revoked',
  insufficient_scope: 'API key scope too narrow',
  session_required: 'Session required',
  rate_limited: 'Too many requests',
  email_taken: 'E-mail already registered',
  invalid_credentials: 'Invalid e-mail or password',
  not_found: 'Not found',
  not_rotatable: 'Key cannot be rotated',
  external_id_taken: 'A trade with this externalId exists',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  internal_error: 'Internal error',
  invalid_token: 'Invalid or expired token',
  api_key_required: 'API key required',
  self_rotation_disabled: 'Self-rotation is not enabled for this key',
  ip_not_allowed: 'Address not allowed for this key',
  invalid_signature: 'Invalid signature',
  service_unavailable: 'Service unavailable',
  request_header_too_large: 'Request headers too large',
  bad_request: 'Malformed request',
  idempotency_key_reused: 'Idempotency-Key used for another request',
  idempotency_in_progress: 'A request with this Idempotency-Key is still running',
};
