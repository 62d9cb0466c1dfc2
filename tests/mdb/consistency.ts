/**
 * Whole-database invariants of mdb, read straight from the tables: the change log is gapless
 * and agrees with the machines table, and `host_names` holds exactly every hostname and alias.
 */
import type { Database } from '../../packages/db/src/index.ts';
import { toMachine } from '../../services/mdb/src/store/records.ts';

export interface MachineRowLike {
  id: string;
  hostname: string;
  aliases: string;
  ip: string;
  mac: string;
  [column: string]: unknown;
}

export interface Snapshot {
  machines: MachineRowLike[];
  /** Every change-log row of table `machines`, revision order. */
  machineChanges: { revision: number; entity_id: string; op: string; record: any }[];
  head: number;
  problems: string[];
}

export async function inspect(database: Database): Promise<Snapshot> {
  const db = database.db;
  const machines = (await db
    .selectFrom('machines')
    .selectAll()
    .orderBy('id')
    .execute()) as MachineRowLike[];
  const log = await db
    .selectFrom('change_log')
    .select(['revision', 'tbl', 'entity_id', 'op', 'record'])
    .orderBy('revision')
    .execute();
  const names = await db.selectFrom('host_names').selectAll().orderBy('name').execute();
  const problems: string[] = [];

  log.forEach((row, i) => {
    if (Number(row.revision) !== i + 1) {
      problems.push(`change_log position ${i} holds revision ${row.revision}, expected ${i + 1}`);
    }
  });
  const machineChanges = log
    .filter((r) => r.tbl === 'machines')
    .map((r) => ({
      revision: Number(r.revision),
      entity_id: r.entity_id as string,
      op: r.op as string,
      record: JSON.parse(r.record as string),
    }));

  // The latest change of every entity is the current row (or a delete of a missing one).
  const latest = new Map<string, (typeof machineChanges)[number]>();
  for (const change of machineChanges) latest.set(change.entity_id, change);
  const rows = new Map(machines.map((m) => [m.id, m]));
  for (const [id, change] of latest) {
    const row = rows.get(id);
    if (change.op === 'delete') {
      if (row) problems.push(`machine ${id} exists although its last change is a delete`);
      continue;
    }
    if (!row) {
      problems.push(`change_log says machine ${id} exists (${change.op}) but it has no row`);
      continue;
    }
    const rendered = JSON.stringify(toMachine(row as never));
    if (rendered !== JSON.stringify(change.record)) {
      problems.push(
        `machine ${id}: row ${rendered} != last logged ${JSON.stringify(change.record)}`,
      );
    }
  }
  for (const row of machines) {
    if (!latest.has(row.id)) problems.push(`machine ${row.hostname} has no change_log entry`);
  }

  const expectedNames = machines
    .flatMap((m) => [m.hostname, ...(JSON.parse(m.aliases) as string[])].map((n) => `${n}=${m.id}`))
    .sort();
  const actualNames = names.map((n) => `${n.name}=${n.machine_id}`).sort();
  if (JSON.stringify(expectedNames) !== JSON.stringify(actualNames)) {
    problems.push(
      `host_names ${JSON.stringify(actualNames)} != hostnames+aliases ${JSON.stringify(expectedNames)}`,
    );
  }
  return { machines, machineChanges, head: log.length, problems };
}
