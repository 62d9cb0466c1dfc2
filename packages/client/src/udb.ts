import type {
  Group,
  ImportResult,
  ImportStatus,
  importRequestSchema,
  passwordChangeSchema,
  sheetRequestSchema,
  User,
  userCreateSchema,
  userUpdateSchema,
} from '@lanctl/model';
import {
  type Collection,
  collection,
  type SchemaInput as Input,
  type ListQuery,
} from './collection.ts';
import { type ClientOptions, createTransport } from './http.ts';

export type UserCreateInput = Input<typeof userCreateSchema>;
export type UserUpdateInput = Input<typeof userUpdateSchema>;
export type PasswordChangeInput = Input<typeof passwordChangeSchema>;
export type ImportRequestInput = Input<typeof importRequestSchema>;
export type SheetRequestInput = Input<typeof sheetRequestSchema>;

export interface UserQuery extends ListQuery {
  group?: Group;
  /** Substring of login, first or last name. */
  q?: string;
}

/** A created user; `password` only when udb generated it (shown this once, kept nowhere). */
export type CreatedUser = User & { password?: string };

/** `POST /auth/login`: a session token for a person. */
export interface LoginResult {
  token: string;
  expires_at: string;
  user: User;
}

/** `POST /users/:login/password`: `password` only when udb generated it. */
export interface PasswordResult {
  login: string;
  password?: string;
}

/** Rows per status; the `would_*` ones only on a dry run. */
export type ImportSummary = Record<'created' | 'updated' | 'skipped' | 'error', number> &
  Partial<Record<ImportStatus, number>>;

export interface ImportResponse {
  dry_run: boolean;
  summary: ImportSummary;
  /** One per row of the file, in file order; `password` only on rows that got a generated one. */
  results: ImportResult[];
}

export interface UdbClient {
  /** Checks a person's password; no token needed. */
  login(login: string, password: string): Promise<LoginResult>;
  users: Collection<User, UserCreateInput, UserUpdateInput, UserQuery, CreatedUser>;
  /** `{}` resets to a generated password; `{password}` sets one; a contestant adds `current_password`. */
  setPassword(login: string, body: PasswordChangeInput): Promise<PasswordResult>;
  /** SADM's batchimport: per-row results, never a throw for a bad row. */
  importUsers(request: ImportRequestInput): Promise<ImportResponse>;
  /** The printable HTML page, or SADM's `First Last<TAB>login<TAB>password` lines. */
  renderSheet(request: SheetRequestInput): Promise<string>;
}

/** A typed client of the udb API (`/api/v1/auth/login`, `/api/v1/users...`). */
export function createUdbClient(options: ClientOptions): UdbClient {
  const call = createTransport(options, 'udb');
  return {
    login: (login, password) => call('POST', '/auth/login', { body: { login, password } }),
    users: collection(call, '/users'),
    setPassword: (login, body) =>
      call('POST', `/users/${encodeURIComponent(login)}/password`, { body }),
    importUsers: (request) => call('POST', '/users/import', { body: request }),
    renderSheet: (request) => call('POST', '/users/sheets', { body: request, response: 'text' }),
  };
}
