import type { Group, ImportResult, User } from '@lanctl/model';
import { api, listAll } from '../api.ts';

/** udb's `/api/v1/users` as the Users views use it; the API decides who may do what. */

/** Every user, page after page (5,000 a page, the API's maximum). */
export const listUsers = () => listAll<User>('users');

/** A created user; `password` only when udb generated it (shown once). */
export type CreatedUser = User & { password?: string };

export const createUser = (fields: Record<string, unknown>) =>
  api<CreatedUser>('POST', '/users', fields);

export const updateUser = (login: string, patch: Record<string, unknown>) =>
  api<User>('PATCH', `/users/${encodeURIComponent(login)}`, patch);

export const deleteUser = (login: string) =>
  api<unknown>('DELETE', `/users/${encodeURIComponent(login)}`);

/** A new generated password, returned in this answer only; udb keeps its hash alone. */
export async function resetPassword(login: string): Promise<string> {
  const answer = await api<{ login: string; password?: string }>(
    'POST',
    `/users/${encodeURIComponent(login)}/password`,
    {},
  );
  if (!answer.password) throw new Error('udb answered without a new password');
  return answer.password;
}

export type ImportFormat = 'csv' | 'tsv' | 'json';
export type ImportMode = 'create' | 'update' | 'ignore';

export interface ImportRequest {
  format: ImportFormat;
  data: string;
  group: Group;
  mode: ImportMode;
  dry_run: boolean;
}

export interface ImportResponse {
  dry_run: boolean;
  summary: Record<string, number>;
  results: ImportResult[];
}

export const importUsers = (request: ImportRequest) =>
  api<ImportResponse>('POST', '/users/import', request);
