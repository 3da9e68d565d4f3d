import type { ErrorCode } from './errors.js';

/**
 * What each error code means and what to do about it: the one source of the problem pages the API
 * serves at `/problems/<code>` (a problem's `type`) and of `docs/problems.md`.
 */
export interface ProblemGuide {
  /** What happened, in a sentence or two. */
  meaning: string;
  /** What the caller does next. */
  action: string;
}

/** The guide of every error code (exhaustive: a new code does not compile without its guide). */
export const PROBLEM_GUIDES: Record<ErrorCode, ProblemGuide> = {
  validation_failed: {
    meaning:
      'The request body, query or path is not valid: a field is missing, unknown, of the wrong type or out of its bounds. `errors` lists each field problem with its dotted path.',
    action: 'Correct the fields named in `errors` and send the request again. Nothing was changed.',
  },
  unauthenticated: {
    meaning: 'The route needs credentials and none (or a malformed Authorization header) came with the request.',
    action: 'Send a session token or an API key as `Authorization: Bearer <token or key>` (or an API key in `X-API-Key`).',
  },
  invalid_api_key: {
    meaning: 'The credential is not a key or session this instance knows: mistyped, deleted, from another instance, or a session that ended.',
    action: 'Check that the whole key was copied; create a new key on the settings page if it is lost. Repeated failures from one address are rate limited.',
  },
  api_key_expired: {
    meaning: 'The API key reached its expiry date.',
    action: 'Create or rotate to a new key on the settings page and update the integration that used it.',
  },
  api_key_revoked: {
    meaning: 'The API key was revoked (by its owner, after a rotation grace period, or after a leak report).',
    action: 'Use the key that replaced it, or create a new one. A revoked key never works again.',
  },
  insufficient_scope: {
    meaning: 'The credential may not do this: a read key on a write route, or the extension session on a route it may not use.',
    action: 'Use a key with the `read_write` scope for writes, or manage keys from the settings page.',
  },
  session_required: {
    meaning: 'Keys are managed from a signed-in session, not with an API key.',
    action: 'Sign in (POST /v1/auth/login) and call the route with the session token.',
  },
  rate_limited: {
    meaning: 'Too many requests of this kind from this address or credential in the current window.',
    action: 'Wait the number of seconds in `Retry-After`, then try again.',
  },
  email_taken: {
    meaning: 'An account with this e-mail address exists.',
    action: 'Sign in instead, or register with another address.',
  },
  invalid_credentials: {
    meaning: 'The e-mail address and password do not match an account.',
    action: 'Check both and try again; repeated failures are rate limited.',
  },
  not_found: {
    meaning: 'No such route, or no such resource visible to this credential (another user\u2019s resource answers the same).',
    action: 'Check the path and the id.',
  },
  not_rotatable: {
    meaning: 'The key cannot be rotated now: it is revoked, expired, or already in a rotation\u2019s grace period.',
    action: 'Create a new key instead, or wait for the current rotation to finish.',
  },
  external_id_taken: {
    meaning: 'A trade with this `externalId` exists for this user.',
    action: 'Leave the trade as it is (it was imported before), or change the existing one with PATCH.',
  },
  payload_too_large: {
    meaning: 'The request body is larger than the route accepts.',
    action: 'Send less at once: split an import into several requests.',
  },
  unsupported_media_type: {
    meaning: 'The body\u2019s Content-Type or charset is not one the route takes.',
    action: 'Send `application/json` in UTF-8 (imports and leak reports also take `text/csv` or `text/plain`).',
  },
  internal_error: {
    meaning: 'Something failed on the server; the failed step changed nothing.',
    action: 'Try again later; if it persists, report it to the instance\u2019s operator with the time of the request.',
  },
  invalid_token: {
    meaning: 'The e-mail confirmation token is unknown, used or expired.',
    action: 'Ask for a new confirmation e-mail (POST /v1/auth/verify-email/resend).',
  },
  api_key_required: {
    meaning: 'The route works on the key that calls it, so it needs an API key rather than a session.',
    action: 'Call it with the API key itself in `Authorization: Bearer`.',
  },
  self_rotation_disabled: {
    meaning: 'This key may not rotate itself.',
    action: 'Turn self-rotation on for the key on the settings page, or rotate it from there.',
  },
  ip_not_allowed: {
    meaning: 'The key has an allowed-address list and the request came from an address outside it.',
    action: 'Call from an allowed address, or change the key\u2019s allowed addresses on the settings page.',
  },
  invalid_signature: {
    meaning: 'A partner report\u2019s signature does not verify against the partner\u2019s published keys.',
    action: 'Send the exact bytes that were signed, with the signature and key id headers.',
  },
  service_unavailable: {
    meaning: 'The instance cannot answer now: its database does not answer, or it is stopping.',
    action: 'Wait the number of seconds in `Retry-After`, then try again.',
  },
  request_header_too_large: {
    meaning: 'The request headers are larger than the server reads.',
    action: 'Send fewer or shorter headers (cookies from other sites, say).',
  },
  bad_request: {
    meaning: 'The request could not be read as HTTP, or its body could not be read.',
    action: 'Check the client or proxy that sent it.',
  },
  idempotency_key_reused: {
    meaning: 'This `Idempotency-Key` was used, within the last 24 hours and with the same credential, for another request (another body or route).',
    action: 'Send a new key with every new request; send a key again only with the very same request.',
  },
  idempotency_in_progress: {
    meaning: 'The first request with this `Idempotency-Key` is still running.',
    action: 'Wait a moment (`Retry-After`) and send the same request with the same key again: it then answers the first request\u2019s answer.',
  },
};

/** Where a code's problem page is: `<publicUrl>/problems/<code>`, the problem's `type`. */
export function problemTypeUrl(publicUrl: string, code: ErrorCode): string {
  return `${publicUrl.replace(/\/+$/, '')}/problems/${code}`;
}
