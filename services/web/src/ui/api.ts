import type { Machine, Page, Role } from '@lanctl/model';

/** The public `/api/v1` on the page's own origin; the session is the HttpOnly cookie. */

export interface FieldIssue {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[] = [],
  ) {
    super(message);
  }

  /** The API's per-field messages by field name (`(root)` and nested paths kept as sent). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) out[d.field] ??= d.message;
    return out;
  }
}

/** What to tell a person about a failed call: the API's message, or that nobody answered. */
export const errorText = (e: unknown): string =>
  e instanceof ApiError ? e.message : 'the server did not answer; try again';

/** Called on any 401 other than a failed login: the session ended, show the login page. */
let onUnauthorized: () => void = () => {};
export const setUnauthorizedHandler = (handler: () => void) => {
  onUnauthorized = handler;
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? safeJson(text) : undefined;
  if (response.ok) return data as T;
  const error = (data as { error?: Partial<ApiError> & { details?: FieldIssue[] } })?.error;
  const failure = new ApiError(
    response.status,
    error?.code ?? 'http_error',
    error?.message ?? `${method} ${path}: HTTP ${response.status}`,
    Array.isArray(error?.details) ? error.details : [],
  );
  if (response.status === 401 && path !== '/auth/login') onUnauthorized();
  throw failure;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface Session {
  subject: string;
  role: Role;
}

export const whoami = () => api<Session>('GET', '/auth/whoami');
/** Dispatched on `window` after a login: refused streams try again at once. */
export const LOGGED_IN_EVENT = 'lanctl:logged-in';

export async function login(login: string, password: string): Promise<void> {
  await api<unknown>('POST', '/auth/login', { login, password });
  window.dispatchEvent(new Event(LOGGED_IN_EVENT));
}
export const logout = () => api<unknown>('POST', '/auth/logout');

/** Every record of a collection, page after page (5,000 a page, the API's maximum). */
export async function listAll<T>(collection: string): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '5000' });
    if (after) query.set('after', after);
    const page: Page<T> = await api<Page<T>>('GET', `/${collection}?${query}`);
    out.push(...page.items);
    after = page.next;
  } while (after);
  return out;
}

export const listMachines = () => listAll<Machine>('machines');

export const createMachine = (fields: Record<string, unknown>) =>
  api<Machine>('POST', '/machines', fields);

/** Names of a name-keyed collection (`rooms`, `machine-types`), first page only. */
export async function listNames(collection: string): Promise<string[]> {
  return (await listAll<{ name: string }>(collection)).map((i) => i.name);
}
