import { randomUUID } from 'node:crypto';
import { AppError, conflict, notFound } from '@lanctl/core';
import { type Database, type Kysely, type WriteTx, writeTransaction } from '@lanctl/db';
import type { Page } from '@lanctl/model';
import { appendChange } from '@lanctl/sync';
import type { MdbTables } from '../schema.ts';

type Tx = WriteTx<MdbTables>;

/** The generic store works on any of the name-keyed tables; the spec carries the row types. */
const loose = (db: unknown) => db as Kysely<any>;
type NamedTable = 'rooms' | 'machine_types' | 'switches' | 'pools' | 'boot_profiles';
type RowOf<T extends NamedTable> = MdbTables[T];
type Fields<T extends NamedTable> = Omit<RowOf<T>, 'id' | 'created_at' | 'updated_at'>;

/** What differs between the small tables keyed by name (rooms, machine types, switches, pools, boot profiles). */
export interface NamedTableSpec<T extends NamedTable, R> {
  table: T;
  /** Singular noun for messages: `room "x" not found`. */
  noun: string;
  toRecord(tx: Tx | Database<MdbTables>['db'], row: RowOf<T>): Promise<R> | R;
  /** Domain checks on the row about to be written (references, other unique columns). */
  check?(tx: Tx, next: Fields<T>, current?: RowOf<T>): Promise<void>;
  /** Turns a validated PATCH into row fields, inside the write transaction (derived columns). */
  fromPatch?(current: RowOf<T>, patch: any): Partial<Fields<T>>;
  /** Extra work after the row changed (e.g. resetting an allocation hint). */
  afterWrite?(tx: Tx, next: RowOf<T>, current?: RowOf<T>): Promise<void>;
  /** Names what still uses the row, or null when it may be deleted. */
  usedBy?(tx: Tx, row: RowOf<T>): Promise<string | null>;
  order?: keyof RowOf<T> & string;
}

/** List, get, create, update and delete for a name-keyed table, each write change-logged. */
export class NamedStore<T extends NamedTable, R> {
  constructor(
    private readonly database: Database<MdbTables>,
    private readonly spec: NamedTableSpec<T, R>,
    private readonly now: () => Date,
  ) {}

  async list(limit = 5000, after?: string): Promise<Page<R>> {
    let q = loose(this.database.db)
      .selectFrom(this.spec.table as string)
      .selectAll()
      .orderBy('name')
      .limit(limit + 1);
    if (after !== undefined) q = q.where('name', '>', after);
    const rows = (await q.execute()) as RowOf<T>[];
    const page = rows.slice(0, limit);
    const items = await Promise.all(page.map((r) => this.spec.toRecord(this.database.db, r)));
    return { items, next: rows.length > limit ? (page[page.length - 1]!.name as string) : null };
  }

  async get(name: string): Promise<R> {
    const row = await this.find(this.database.db as Tx, name);
    if (!row) throw notFound(`${this.spec.noun} "${name}"`);
    return this.spec.toRecord(this.database.db, row);
  }

  create(fields: Fields<T>): Promise<R> {
    return writeTransaction(this.database, async (tx) => {
      if (await this.find(tx, fields.name)) {
        throw conflict('name', `${this.spec.noun} "${fields.name}" already exists`, {
          name: fields.name,
        });
      }
      await this.spec.check?.(tx, fields);
      const stamp = this.now().toISOString();
      const row = { id: randomUUID(), ...fields, created_at: stamp, updated_at: stamp } as RowOf<T>;
      await loose(tx)
        .insertInto(this.spec.table as string)
        .values(row)
        .execute();
      await this.spec.afterWrite?.(tx, row);
      return this.log(tx, row, 'create');
    });
  }

  update(name: string, input: Partial<Fields<T>>): Promise<R> {
    return writeTransaction(this.database, async (tx) => {
      const current = await this.find(tx, name);
      if (!current) throw notFound(`${this.spec.noun} "${name}"`);
      const patch = this.spec.fromPatch ? this.spec.fromPatch(current, input) : input;
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const next = { ...current, ...defined } as RowOf<T>;
      if (
        Object.keys(defined).every(
          (k) => String(defined[k]) === String(current[k as keyof RowOf<T>]),
        )
      ) {
        return this.spec.toRecord(tx, current);
      }
      if (next.name !== current.name && (await this.find(tx, next.name))) {
        throw conflict('name', `${this.spec.noun} "${next.name}" already exists`, {
          name: next.name,
        });
      }
      await this.spec.check?.(tx, next, current);
      next.updated_at = this.now().toISOString();
      const { id, created_at, ...changes } = next;
      await loose(tx)
        .updateTable(this.spec.table as string)
        .set(changes as Record<string, unknown>)
        .where('id', '=', id)
        .execute();
      await this.spec.afterWrite?.(tx, next, current);
      return this.log(tx, next, 'update');
    });
  }

  remove(name: string): Promise<R> {
    return writeTransaction(this.database, async (tx) => {
      const current = await this.find(tx, name);
      if (!current) throw notFound(`${this.spec.noun} "${name}"`);
      const user = await this.spec.usedBy?.(tx, current);
      if (user) {
        throw new AppError(409, 'in_use', `${this.spec.noun} "${name}" is still used by ${user}`);
      }
      const record = await this.spec.toRecord(tx, current);
      await loose(tx)
        .deleteFrom(this.spec.table as string)
        .where('id', '=', current.id)
        .execute();
      await appendChange(tx, {
        table: this.spec.table,
        entity_id: current.id,
        op: 'delete',
        record,
      });
      return record;
    });
  }

  private async find(tx: Tx, name: string): Promise<RowOf<T> | undefined> {
    return (await loose(tx)
      .selectFrom(this.spec.table as string)
      .selectAll()
      .where('name', '=', name.toLowerCase())
      .executeTakeFirst()) as RowOf<T> | undefined;
  }

  private async log(tx: Tx, row: RowOf<T>, op: 'create' | 'update'): Promise<R> {
    const record = await this.spec.toRecord(tx, row);
    await appendChange(tx, { table: this.spec.table, entity_id: row.id, op, record });
    return record;
  }
}
