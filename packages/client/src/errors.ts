import { ERROR_CODES, type ErrorCode, type FieldError, displayApiKey } from '@tradetally/contracts';

/** Every `code` a TradeTallyError can carry: the contract's codes, and `network_error` when no answer came. */
export type ClientErrorCode = ErrorCode | 'network_error';

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** The code to report when an answer is not a problem document (a proxy's page, an older server). */
function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'insufficient_scope';
    case 404:
      return 'not_found';
    case 409:
      return 'not_rotatable';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    case 431:
      return 'request_header_too_large';
    case 503:
      return 'service_unavailable';
    default:
      return 'internal_error';
  }
}

/** Anything shaped like a key, checksum or not: a mistyped key is still nearly the key. */
const KEY_LIKE = /tt_(?:live|test)_[0-9A-Za-z]{8,}/g;

/** The `prefix…last4` form of a secret, also for strings that are not well-formed keys (session tokens). */
export function maskSecret(secret: string): string {
  if (/^tt_(live|test)_/.test(secret) && secret.length >= 20) return displayApiKey({ prefix: secret.slice(0, 12), last4: secret.slice(-4) });
  // Not a key: show so little that nothing can be guessed, but enough to tell two apart.
  return secret.length >= 16 ? `${secret.slice(0, 4)}…${secret.slice(-4)}` : '…';
}

/** `text` with everything key-shaped in it shown as `prefix…last4`: nothing the client says carries a whole key. */
export function maskKeys(text: string): string {
  return text.replace(KEY_LIKE, (key) => maskSecret(key));
}

/** What the API answered (or that it did not answer), as one typed error. */
export class TradeTallyError extends Error {
  override readonly name = 'TradeTallyError';
  /** The HTTP status; 0 when no answer came (network failure). */
  readonly status: number;
  /** The contract's stable error word, or `network_error`. */
  readonly code: ClientErrorCode;
  /** The problem's human sentence. */
  readonly detail: string;
  /** Field problems of a validation failure (empty otherwise). */
  readonly errors: FieldError[];
  /** Seconds the server asked to wait (`Retry-After`), else null. */
  readonly retryAfter: number | null;
  /** The request that failed, e.g. `POST /v1/trades`. */
  readonly request: string;
  /** The server's id of the request (`Request-Id`), to quote to its operator; null when no answer came. */
  readonly requestId: string | null;

  constructor(init: {
    status: number;
    code: ClientErrorCode;
    detail: string;
    errors?: FieldError[];
    retryAfter?: number | null;
    request: string;
    requestId?: string | null;
    cause?: unknown;
  }) {
    const detail = maskKeys(init.detail);
    super(
      `${init.request}: ${init.status === 0 ? 'no answer' : init.status} ${init.code}: ${detail}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.status = init.status;
    this.code = init.code;
    this.detail = detail;
    this.errors = (init.errors ?? []).map((e) => ({ path: e.path, message: maskKeys(e.message) }));
    this.retryAfter = init.retryAfter ?? null;
    this.request = init.request;
    this.requestId = init.requestId ?? null;
  }

  /** Builds the error for an answer whose body is (or should be) RFC 9457 problem details. */
  static fromAnswer(status: number, body: unknown, retryAfter: number | null, request: string, requestId: string | null = null): TradeTallyError {
    const problem = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const code = typeof problem.code === 'string' && KNOWN_CODES.has(problem.code) ? (problem.code as ErrorCode) : codeOfStatus(status);
    const detail = typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : `The server answered ${status}.`;
    const errors = Array.isArray(problem.errors)
      ? problem.errors.filter((e): e is FieldError => typeof e === 'object' && e !== null && typeof e.path === 'string' && typeof e.message === 'string')
      : [];
    return new TradeTallyError({
      status,
      code,
      detail,
      errors,
      retryAfter,
      request,
      requestId: typeof problem.requestId === 'string' ? problem.requestId : requestId,
    });
  }
}

/** Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}
