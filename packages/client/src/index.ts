export * from './boot.ts';
export type { Collection, ListQuery } from './collection.ts';
export { ApiError, type ApiErrorDetail, isApiError } from './errors.ts';
export type { ClientOptions } from './http.ts';
export * from './mdb.ts';
export * from './presence.ts';
export * from './udb.ts';
