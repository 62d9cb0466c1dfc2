import { randomUUID } from 'node:crypto';
import { AppError, conflict, notFound, unprocessable } from '@lanctl/core';
import { type Database, sql, type WriteTx, writeTransaction } from '@lanctl/db';
import type { Group, Page, User, UserCreate, UserListQuery, UserUpdate } from '@lanctl/model';
import { appendChange } from '@lanctl/sync';
import type { UdbTables, UserRow } from '../schema.ts';
import { toLoggedUser, toUser } from './records.ts';
import { allocateUid, type UidPools, uidInPool } from './uids.ts';

type Tx = WriteTx<UdbTables>;

/** A user to write, its password already hashed (hashing happens outside the write lock). */
export type NewUser = Omit<UserCreate, 'password'> & { password_hash: string };

export class UserStore {
  constructor(
    private readonly database: Database<UdbTables>,
    private readonly pools: UidPools,
    private readonly now: () => Date,
  ) {}

  async list(query: UserListQuery): Promise<Page<User>> {
    let q = this.database.db
      .selectFrom('users')
      .selectAll()
      .orderBy('login')
      .limit(query.limit + 1);
    if (query.after !== undefined) q = q.where('login', '>', query.after);
    if (query.group !== undefined) q = q.where('grp', '=', query.group);
    if (query.q) {
      const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(({ or }) =>
        or(
          ['login', 'firstname', 'lastname'].map(
            (col) => sql<boolean>`LOWER(${sql.ref(col)}) LIKE ${pattern} ESCAPE '\\'`,
          ),
        ),
      );
    }
    const rows = await q.execute();
    const items = rows.slice(0, query.limit).map(toUser);
    return { items, next: rows.length > query.limit ? items[items.length - 1]!.login : null };
  }

  async get(login: string): Promise<User> {
    return toUser(await this.row(login));
  }

  /** The row with its hash, for password checks; undefined when there is no such login. */
  async find(login: string): Promise<UserRow | undefined> {
    return this.database.db
      .selectFrom('users')
      .selectAll()
      .where('login', '=', login)
      .executeTakeFirst();
  }

  /** login → sha512-crypt hash, for SADM's `query_private` (and, later, the users stream). */
  async hashes(): Promise<Map<string, string>> {
    const rows = await this.database.db
      .selectFrom('users')
      .select(['login', 'password_hash'])
      .execute();
    return new Map(rows.map((r) => [r.login, r.password_hash]));
  }

  /** Every login with its group and names: what a bulk import plans against. */
  async existing(): Promise<Map<string, { group: Group; firstname: string; lastname: string }>> {
    const rows = await this.database.db
      .selectFrom('users')
      .select(['login', 'grp', 'firstname', 'lastname'])
      .execute();
    return new Map(
      rows.map((r) => [
        r.login,
        { group: r.grp as Group, firstname: r.firstname, lastname: r.lastname },
      ]),
    );
  }

  async count(): Promise<number> {
    const row = await this.database.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  create(user: NewUser): Promise<User> {
    return writeTransaction(this.database, (tx) => this.insert(tx, user));
  }

  /** Inside a caller's transaction (bulk import writes many rows under one lock). */
  async insert(tx: Tx, user: NewUser): Promise<User> {
    const existing = await tx
      .selectFrom('users')
      .select('login')
      .where('login', '=', user.login)
      .executeTakeFirst();
    if (existing) throw conflict('login', `user "${user.login}" already exists`, existing);
    const uid = user.uid ?? (await allocateUid(tx, this.pools, user.group));
    if (user.uid !== null) await this.claimUid(tx, user.group, user.uid, null);
    const stamp = this.now().toISOString();
    const row: UserRow = {
      id: randomUUID(),
      login: user.login,
      firstname: user.firstname,
      lastname: user.lastname,
      uid,
      grp: user.group,
      shell: user.shell,
      ssh_keys: JSON.stringify(user.ssh_keys),
      password_hash: user.password_hash,
      created_at: stamp,
      updated_at: stamp,
    };
    await tx.insertInto('users').values(row).execute();
    await appendChange(tx, {
      table: 'users',
      entity_id: row.id,
      op: 'create',
      record: toLoggedUser(row),
    });
    return toUser(row);
  }

  update(login: string, patch: UserUpdate & { password_hash?: string }): Promise<User> {
    return writeTransaction(this.database, (tx) => this.change(tx, login, patch));
  }

  async change(
    tx: Tx,
    login: string,
    patch: UserUpdate & { password_hash?: string },
  ): Promise<User> {
    const current = await this.rowIn(tx, login);
    const group = patch.group ?? (current.grp as Group);
    if (group !== current.grp && current.grp === 'root') await this.keepOneRoot(tx, current.login);
    if (patch.uid !== undefined && patch.uid !== Number(current.uid)) {
      await this.claimUid(tx, group, patch.uid, current.id);
    }
    const next: UserRow = {
      ...current,
      firstname: patch.firstname ?? current.firstname,
      lastname: patch.lastname ?? current.lastname,
      uid: patch.uid ?? Number(current.uid),
      grp: group,
      shell: patch.shell ?? current.shell,
      ssh_keys: patch.ssh_keys ? JSON.stringify(patch.ssh_keys) : current.ssh_keys,
      password_hash: patch.password_hash ?? current.password_hash,
    };
    const changed = (Object.keys(next) as (keyof UserRow)[]).some(
      (k) => String(next[k]) !== String(current[k]),
    );
    if (!changed) return toUser(current);
    next.updated_at = this.now().toISOString();
    const { id, created_at, ...values } = next;
    await tx.updateTable('users').set(values).where('id', '=', id).execute();
    await appendChange(tx, {
      table: 'users',
      entity_id: id,
      op: 'update',
      record: toLoggedUser(next),
    });
    return toUser(next);
  }

  remove(login: string): Promise<User> {
    return writeTransaction(this.database, async (tx) => {
      const current = await this.rowIn(tx, login);
      if (current.grp === 'root') await this.keepOneRoot(tx, current.login);
      await tx.deleteFrom('users').where('id', '=', current.id).execute();
      await appendChange(tx, {
        table: 'users',
        entity_id: current.id,
        op: 'delete',
        record: toLoggedUser(current),
      });
      return toUser(current);
    });
  }

  /** Writes several users under one lock; `fn` decides per row and reports per row. */
  batch<R>(fn: (tx: Tx) => Promise<R>): Promise<R> {
    return writeTransaction(this.database, fn);
  }

  private async row(login: string): Promise<UserRow> {
    const row = await this.find(login);
    if (!row) throw notFound(`user "${login}"`);
    return row;
  }

  private async rowIn(tx: Tx, login: string): Promise<UserRow> {
    const row = await tx
      .selectFrom('users')
      .selectAll()
      .where('login', '=', login)
      .executeTakeFirst();
    if (!row) throw notFound(`user "${login}"`);
    return row;
  }

  /** Never leave the database without a root: nobody could manage roots any more. */
  private async keepOneRoot(tx: Tx, leaving: string): Promise<void> {
    const other = await tx
      .selectFrom('users')
      .select('login')
      .where('grp', '=', 'root')
      .where('login', '!=', leaving)
      .executeTakeFirst();
    if (!other) throw new AppError(409, 'last_root', `"${leaving}" is the last root account`);
  }

  private async claimUid(tx: Tx, group: Group, uid: number, selfId: string | null): Promise<void> {
    if (!uidInPool(this.pools, group, uid)) {
      const [start, end] = this.pools[group];
      throw unprocessable(
        'uid',
        `${uid} is outside the uid pool of group "${group}" [${start}, ${end})`,
      );
    }
    const hit = await tx
      .selectFrom('users')
      .select(['login', 'id'])
      .where('uid', '=', uid)
      .executeTakeFirst();
    if (hit && hit.id !== selfId)
      throw conflict('uid', `uid ${uid} belongs to user "${hit.login}"`, { login: hit.login });
  }
}
