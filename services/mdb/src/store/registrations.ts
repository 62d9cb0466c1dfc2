import { AppError, conflict, isAppError, notFound, parseInput, unprocessable } from '@lanctl/core';
import { type Database, type Kysely, type WriteTx, writeTransaction } from '@lanctl/db';
import {
  type ExpectedHosts,
  isHostLabel,
  type Machine,
  machineCreateSchema,
  nextHostname,
  type Registration,
  type RegistrationSuggestion,
} from '@lanctl/model';
import type { MdbTables } from '../schema.ts';
import { insertMachine } from './machines.ts';
import type { SettingsStore } from './settings.ts';

type Tx = WriteTx<MdbTables>;
type Db = Kysely<MdbTables> | Tx;

/** How a registration ended, for `lanctl_mdb_registrations_total{via, result}`. */
export type RegistrationOutcome =
  | 'created'
  | 'closed'
  | 'invalid'
  | 'conflict'
  | 'pool_exhausted'
  | 'error';
export type RegistrationVia = 'api' | 'sadm';

export const registrationClosed = () =>
  new AppError(403, 'registration_closed', 'self-registration is off');

async function roomRow(db: Db, name: string) {
  const room = await db.selectFrom('rooms').selectAll().where('name', '=', name).executeTakeFirst();
  if (!room) throw unprocessable('room', `unknown room "${name}"`);
  return room;
}

/** Every name a suggestion must avoid: hostnames, aliases, and names expected in any room. */
async function takenNames(db: Db): Promise<Set<string>> {
  const names = await db.selectFrom('host_names').select('name').execute();
  const expected = await db.selectFrom('expected_hosts').select('hostname').execute();
  return new Set([...names.map((n) => n.name), ...expected.map((e) => e.hostname)]);
}

/** The room's first remaining expected hostname, else its pattern's next free seat. */
export async function suggestFor(db: Db, room: string): Promise<RegistrationSuggestion> {
  const row = await roomRow(db, room);
  const sw = await db
    .selectFrom('switches')
    .select(['rfs', 'hfs'])
    .where('room', '=', room)
    .orderBy('rfs')
    .orderBy('hfs')
    .orderBy('name')
    .executeTakeFirst();
  const servers = { rfs: Number(sw?.rfs ?? 0), hfs: Number(sw?.hfs ?? 0) };
  const expected = await db
    .selectFrom('expected_hosts')
    .select('hostname')
    .where('room', '=', room)
    .orderBy('position')
    .executeTakeFirst();
  if (expected) return { room, hostname: expected.hostname, source: 'expected', ...servers };
  if (row.hostname_pattern !== null) {
    const seats = row.seats_per_row === null ? null : Number(row.seats_per_row);
    const hostname = nextHostname(row.hostname_pattern, seats, await takenNames(db));
    if (hostname) return { room, hostname, source: 'pattern', ...servers };
  }
  return { room, hostname: null, source: null, ...servers };
}

/**
 * Registrations (the netboot service, SADM's `register`) and rooms' expect lists. One path
 * creates every self-registered machine: the setting is checked, the name is the one given or
 * suggested, and the machine is created by the same code as `POST /machines`.
 */
export class RegistrationStore {
  constructor(
    private readonly database: Database<MdbTables>,
    private readonly now: () => Date,
    private readonly settings: SettingsStore,
    private readonly onOutcome: (via: RegistrationVia, outcome: RegistrationOutcome) => void,
  ) {}

  suggest(room: string): Promise<RegistrationSuggestion> {
    return suggestFor(this.database.db, room);
  }

  async register(input: Registration, via: RegistrationVia): Promise<Machine> {
    try {
      const setting = await this.settings.get('allow_self_registration');
      if (!setting.value) throw registrationClosed();
      const machine = await writeTransaction(this.database, async (tx) => {
        const suggestion = await suggestFor(tx, input.room);
        const hostname = input.hostname ?? suggestion.hostname;
        if (hostname === null) {
          throw unprocessable(
            'hostname',
            `room "${input.room}" has no expected hostname left and no free seat in its pattern: give one`,
          );
        }
        const create = parseInput(machineCreateSchema, {
          hostname,
          mac: input.mac,
          room: input.room,
          mtype: input.mtype,
          rfs: input.rfs ?? suggestion.rfs,
          hfs: input.hfs ?? suggestion.hfs,
        });
        return insertMachine(tx, create, this.now().toISOString());
      });
      this.onOutcome(via, 'created');
      return machine;
    } catch (e) {
      this.onOutcome(via, outcomeOf(e));
      throw e;
    }
  }

  async expected(room: string): Promise<ExpectedHosts> {
    await this.requireRoom(this.database.db, room);
    const rows = await this.database.db
      .selectFrom('expected_hosts')
      .select('hostname')
      .where('room', '=', room)
      .orderBy('position')
      .execute();
    return { room, hostnames: rows.map((r) => r.hostname) };
  }

  /** Replaces the room's list; each name valid, once, and not a machine's or another room's. */
  setExpected(room: string, input: string[]): Promise<ExpectedHosts> {
    const hostnames = input.map((h) => h.replace(/[A-Z]/g, (c) => c.toLowerCase()));
    return writeTransaction(this.database, async (tx) => {
      await this.requireRoom(tx, room);
      const seen = new Map<string, number>();
      for (const [i, name] of hostnames.entries()) {
        const field = `hostnames[${i}]`;
        if (!isHostLabel(name)) throw unprocessable(field, `"${name}" is not a valid host name`);
        const before = seen.get(name);
        if (before !== undefined) throw unprocessable(field, `repeats hostnames[${before}]`);
        seen.set(name, i);
      }
      await this.checkFree(tx, room, hostnames);
      await tx.deleteFrom('expected_hosts').where('room', '=', room).execute();
      if (hostnames.length > 0) {
        const rows = hostnames.map((hostname, position) => ({ hostname, room, position }));
        for (let i = 0; i < rows.length; i += 500) {
          await tx
            .insertInto('expected_hosts')
            .values(rows.slice(i, i + 500))
            .execute();
        }
      }
      return { room, hostnames };
    });
  }

  /** No expected name may already be a machine's name or alias, or expected in another room. */
  private async checkFree(tx: Tx, room: string, hostnames: string[]): Promise<void> {
    const index = new Map(hostnames.map((h, i) => [h, i]));
    for (let i = 0; i < hostnames.length; i += 500) {
      const chunk = hostnames.slice(i, i + 500);
      const machine = await tx
        .selectFrom('host_names')
        .innerJoin('machines', 'machines.id', 'host_names.machine_id')
        .select(['host_names.name', 'machines.hostname'])
        .where('host_names.name', 'in', chunk)
        .orderBy('host_names.name')
        .executeTakeFirst();
      if (machine) {
        throw conflict(
          `hostnames[${index.get(machine.name)}]`,
          `"${machine.name}" is already a name of machine "${machine.hostname}"`,
          { hostname: machine.hostname },
        );
      }
      const other = await tx
        .selectFrom('expected_hosts')
        .select(['hostname', 'room'])
        .where('hostname', 'in', chunk)
        .where('room', '!=', room)
        .executeTakeFirst();
      if (other) {
        throw conflict(
          `hostnames[${index.get(other.hostname)}]`,
          `"${other.hostname}" is already expected in room "${other.room}"`,
          { room: other.room },
        );
      }
    }
  }

  private async requireRoom(db: Db, room: string): Promise<void> {
    const row = await db
      .selectFrom('rooms')
      .select('name')
      .where('name', '=', room)
      .executeTakeFirst();
    if (!row) throw notFound(`room "${room}"`);
  }
}

function outcomeOf(e: unknown): RegistrationOutcome {
  if (!isAppError(e)) return 'error';
  if (e.code === 'registration_closed') return 'closed';
  if (e.code === 'pool_exhausted') return 'pool_exhausted';
  if (e.status === 409) return 'conflict';
  if (e.status === 400 || e.status === 422) return 'invalid';
  return 'error';
}
