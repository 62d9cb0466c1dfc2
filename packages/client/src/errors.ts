/** One field-level problem as the API reports it in `error.details`. */
export interface ApiErrorDetail {
  field: string;
  message: string;
  /** On a 409: the record already holding the value (e.g. `{hostname: "pc12"}`). */
  existing?: unknown;
}

/**
 * Every failure of a call: an error answer of the API (`status` and `code` as sent), an answer
 * that is not the API's (`code` `http_error` or `bad_response`), or no answer at all (`status`
 * 0, `code` `unreachable` or `timeout`). Callers branch on `code`, never on the message.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ApiErrorDetail[];
  /** From a `Retry-After` header (a 429 or 503): seconds to wait before trying again. */
  readonly retryAfterSeconds?: number;

  constructor(
    status: number,
    code: string,
    message: string,
    details: ApiErrorDetail[] = [],
    options: { cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** Reads `{"error": {code, message, details?}}`; null when the body is not in that shape. */
export function parseErrorBody(
  status: number,
  body: unknown,
  options: { retryAfterSeconds?: number } = {},
): ApiError | null {
  const error = (body as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') return null;
  const details = Array.isArray(error.details)
    ? error.details.filter(
        (d): d is ApiErrorDetail =>
          typeof d?.field === 'string' && typeof (d as ApiErrorDetail).message === 'string',
      )
    : [];
  return new ApiError(status, error.code, error.message, details, options);
}
