import { ERROR_TITLES, problemTypeUrl, redactApiKeys, type ErrorCode, type FieldError, type ProblemDetails, statusOfErrorCode } from '@tradetally/contracts';
import type { ZodError } from 'zod';

/** The one error type of this API: a stable code, a detail for humans, and maybe field errors. */
export class ApiError extends Error {
  /** This instance's PUBLIC_URL: a problem's `type` is its page there (set at start by ProblemsModule). */
  private static publicUrl = 'http://localhost:3000';

  static usePublicUrl(url: string): void {
    ApiError.publicUrl = url;
  }

  constructor(
    readonly code: ErrorCode,
    readonly detail: string = ERROR_TITLES[code],
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  get status(): number {
    return statusOfErrorCode(this.code);
  }

  /** The RFC 9457 body, with the request's id when there is one. */
  toProblem(requestId?: string): ProblemDetails {
    return {
      type: problemTypeUrl(ApiError.publicUrl, this.code),
      title: ERROR_TITLES[this.code],
      status: this.status,
      // A message may echo client input (an unknown field's name, say): never echo a key.
      detail: redactApiKeys(this.detail),
      code: this.code,
      ...(this.errors ? { errors: this.errors.map((e) => ({ path: redactApiKeys(e.path), message: redactApiKeys(e.message) })) } : {}),
      ...(requestId === undefined ? {} : { requestId }),
    };
  }

  /** A 400 validation_failed listing each field problem of a zod error. */
  static fromZod(error: ZodError, where = 'body'): ApiError {
    const errors = error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
    }));
    return new ApiError('validation_failed', `The request ${where} is not valid.`, errors);
  }
}
