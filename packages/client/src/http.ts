import { ApiError, parseErrorBody } from './errors.ts';

export interface ClientOptions {
  /** The origin (e.g. `http://127.0.0.1:8080`), or any prefix under which `/api/v1` lives. */
  baseUrl: string;
  token?: string;
  /** Per-request limit; a CLI must not hang forever on a black-holed address. */
  timeoutMs?: number;
  /** Injected in tests; the global `fetch` otherwise. */
  fetch?: typeof fetch;
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** `text` for answers that are documents (a password sheet), not JSON. */
  response?: 'json' | 'text';
}

/** Sends one JSON request to `/api/v1<path>` and returns the decoded answer or throws ApiError. */
export type Transport = <T>(method: string, path: string, options?: RequestOptions) => Promise<T>;

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Builds the transport; an unusable base URL is an error now, not on the first call. `service`
 * names what is behind the URL in messages (`cannot reach udb at ...`).
 */
export function createTransport(options: ClientOptions, service = 'mdb'): Transport {
  const base = parseBaseUrl(options.baseUrl, service);
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async <T>(method: string, path: string, request: RequestOptions = {}) => {
    const url = `${base}/api/v1${path}${queryString(request.query)}`;
    const text = request.response === 'text';
    const headers: Record<string, string> = { accept: text ? '*/*' : 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw networkError(e, base, timeoutMs, service);
    }
    return (await decode(response, url, text)) as T;
  };
}

function parseBaseUrl(text: string, service: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`invalid ${service} URL "${text}": expected e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`invalid ${service} URL "${text}": only http and https are supported`);
  }
  return url.href.replace(/\/+$/, '');
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function networkError(e: unknown, base: string, timeoutMs: number, service: string): ApiError {
  const error = e as Error & { cause?: { message?: string } };
  if (error.name === 'TimeoutError') {
    const message = `${service} at ${base} did not answer within ${timeoutMs} ms`;
    return new ApiError(0, 'timeout', message, [], { cause: e });
  }
  // fetch reports every socket problem as "fetch failed"; the useful part is in `cause`.
  const reason = error.cause?.message ?? error.message;
  return new ApiError(0, 'unreachable', `cannot reach ${service} at ${base}: ${reason}`, [], {
    cause: e,
  });
}

/** `Retry-After` in seconds (RFC 9110 §10.2.3: delay-seconds or an HTTP date). */
function retryAfter(response: Response): number | undefined {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

async function decode(response: Response, url: string, asText: boolean): Promise<unknown> {
  const text = await response.text();
  if (asText && response.ok) return text;
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const options = { retryAfterSeconds: retryAfter(response) };
    throw (
      parseErrorBody(response.status, body, options) ??
      new ApiError(
        response.status,
        'http_error',
        `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${url}`,
        [],
        options,
      )
    );
  }
  if (body === undefined && response.status !== 204) {
    throw new ApiError(
      response.status,
      'bad_response',
      `${url} did not answer with JSON: is this a lanctl origin?`,
    );
  }
  return body;
}
