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
}

/** Sends one JSON request to `/api/v1<path>` and returns the decoded answer or throws ApiError. */
export type Transport = <T>(method: string, path: string, options?: RequestOptions) => Promise<T>;

const DEFAULT_TIMEOUT_MS = 30_000;

/** Builds the transport; an unusable base URL is an error now, not on the first call. */
export function createTransport(options: ClientOptions): Transport {
  const base = parseBaseUrl(options.baseUrl);
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async <T>(method: string, path: string, request: RequestOptions = {}) => {
    const url = `${base}/api/v1${path}${queryString(request.query)}`;
    const headers: Record<string, string> = { accept: 'application/json' };
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
      throw networkError(e, base, timeoutMs);
    }
    return (await decode(response, url)) as T;
  };
}

function parseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`invalid mdb URL "${text}": expected e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`invalid mdb URL "${text}": only http and https are supported`);
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

function networkError(e: unknown, base: string, timeoutMs: number): ApiError {
  const error = e as Error & { cause?: { message?: string } };
  if (error.name === 'TimeoutError') {
    return new ApiError(0, 'timeout', `mdb at ${base} did not answer within ${timeoutMs} ms`, [], {
      cause: e,
    });
  }
  // fetch reports every socket problem as "fetch failed"; the useful part is in `cause`.
  const reason = error.cause?.message ?? error.message;
  return new ApiError(0, 'unreachable', `cannot reach mdb at ${base}: ${reason}`, [], {
    cause: e,
  });
}

async function decode(response: Response, url: string): Promise<unknown> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    throw (
      parseErrorBody(response.status, body) ??
      new ApiError(
        response.status,
        'http_error',
        `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${url}`,
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
