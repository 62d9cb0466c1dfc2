/** One field-level problem, as reported to clients in `error.details`. */
export interface FieldIssue {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  details?: unknown;
  cause?: unknown;
}

/**
 * The one error family every service throws. The HTTP layer turns it into
 * `{"error": {"code", "message", "details"?}}` with `status`; anything else is a logged 500.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: unknown;

  constructor(status: number, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = options.details;
  }
}

/** 400: the body could not be parsed or does not match the schema. */
export const invalidRequest = (message: string, details?: FieldIssue[]) =>
  new AppError(400, 'invalid_request', message, { details });

/** 422: a well-typed value that breaks a domain rule. */
export const unprocessable = (field: string, message: string) =>
  new AppError(422, 'unprocessable', `${field}: ${message}`, { details: [{ field, message }] });

/** 409: a uniqueness conflict, naming the record already holding the value. */
export const conflict = (field: string, message: string, existing?: unknown) =>
  new AppError(409, 'conflict', `${field}: ${message}`, {
    details: [{ field, message, ...(existing === undefined ? {} : { existing }) }],
  });

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);

export const unauthorized = (message = 'a valid bearer token is required') =>
  new AppError(401, 'unauthorized', message);

export const forbidden = (message: string) => new AppError(403, 'forbidden', message);

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
