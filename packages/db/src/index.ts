export type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
export { sql } from 'kysely';
export * from './digest.ts';
export * from './migrate.ts';
export * from './open.ts';
export * from './write-transaction.ts';
