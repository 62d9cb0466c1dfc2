import type { AppMigration } from '@lanctl/db';
import { type ChangeLogTables, changeLogMigration } from '@lanctl/sync';

export interface UserRow {
  id: string;
  login: string;
  firstname: string;
  lastname: string;
  uid: number;
  /** `group` is an SQL keyword. */
  grp: string;
  shell: string;
  /** JSON array of OpenSSH public key lines. */
  ssh_keys: string;
  /** sha512-crypt (`$6$`); the clear password is never stored. */
  password_hash: string;
  created_at: string;
  updated_at: string;
}

export interface UdbTables extends ChangeLogTables {
  users: UserRow;
}

const tables: AppMigration = {
  async up(db) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('login', 'text', (c) => c.notNull().unique())
      .addColumn('firstname', 'text', (c) => c.notNull())
      .addColumn('lastname', 'text', (c) => c.notNull())
      .addColumn('uid', 'integer', (c) => c.notNull().unique())
      .addColumn('grp', 'text', (c) => c.notNull())
      .addColumn('shell', 'text', (c) => c.notNull())
      .addColumn('ssh_keys', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('users_grp').on('users').column('grp').execute();
  },
};

export const UDB_MIGRATIONS: Record<string, AppMigration> = {
  '0000_change_log': changeLogMigration,
  '0001_users': tables,
};

export const UDB_DIGEST_TABLES = [
  { name: 'users', orderBy: 'id' },
  { name: 'change_log', orderBy: 'revision' },
];
