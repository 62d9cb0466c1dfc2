import { AppError, isAppError, issuesToFields } from '@lanctl/core';
import { type Database, writeTransaction } from '@lanctl/db';
import {
  type ImportRowError,
  type MachineCreate,
  type MachineImportResult,
  machineCreateSchema,
} from '@lanctl/model';
import type { MdbTables } from '../schema.ts';
import { insertMachine } from './machines.ts';

const invalid = (errors: ImportRowError[]) => {
  const rows = new Set(errors.map((e) => e.row)).size;
  const first = errors[0]!;
  return new AppError(
    422,
    'import_invalid',
    `${errors.length} error${errors.length === 1 ? '' : 's'} in ${rows} row${rows === 1 ? '' : 's'}, nothing was written (first: row ${first.row}: ${first.field}: ${first.message})`,
    { details: errors },
  );
};

/** Thrown inside the transaction to roll a dry run back with its results. */
class DryRun extends Error {
  constructor(readonly results: MachineImportResult['results']) {
    super('dry run');
  }
}

/** Each row through the API's own schema; errors carry the 1-based row and the field. */
function validateRows(rows: unknown[]): { parsed: MachineCreate[]; errors: ImportRowError[] } {
  const parsed: MachineCreate[] = [];
  const errors: ImportRowError[] = [];
  rows.forEach((input, i) => {
    const result = machineCreateSchema.safeParse(input);
    if (result.success) parsed.push(result.data);
    else {
      for (const f of issuesToFields(result.error.issues)) errors.push({ row: i + 1, ...f });
    }
  });
  return { parsed, errors };
}

/** The same hostname/alias, MAC or explicit address twice in the file. */
function duplicates(rows: MachineCreate[]): ImportRowError[] {
  const errors: ImportRowError[] = [];
  const seen = new Map<string, number>();
  rows.forEach((m, i) => {
    const row = i + 1;
    const claims: [string, string][] = [
      ...[m.hostname, ...m.aliases].map((n): [string, string] => [
        n === m.hostname ? 'hostname' : 'aliases',
        `name:${n}`,
      ]),
      ['mac', `mac:${m.mac}`],
      ...(m.ip === null ? [] : [['ip', `ip:${m.ip}`] as [string, string]]),
    ];
    for (const [field, key] of claims) {
      const before = seen.get(key);
      if (before !== undefined) {
        errors.push({
          row,
          field,
          message: `${key.slice(key.indexOf(':') + 1)} repeats row ${before}`,
        });
      } else seen.set(key, row);
    }
  });
  return errors;
}

/**
 * `POST /machines/import`: every row is validated first (schema errors alone, if any, are the
 * answer), then checked in the file (repeats) and against the database by creating it; any error
 * is a 422 listing every row's errors, and the transaction is rolled back: nothing is written. Otherwise all machines
 * are created in one write transaction (all or nothing), by the same code as `POST /machines`.
 * A dry run does the same work and rolls it back, so its addresses are the ones a real import
 * would get now.
 */
export async function importMachines(
  database: Database<MdbTables>,
  now: () => Date,
  rows: unknown[],
  dryRun: boolean,
): Promise<MachineImportResult> {
  const { parsed, errors } = validateRows(rows);
  if (errors.length > 0) throw invalid(errors);
  const dupes = duplicates(parsed);
  const skip = new Set(dupes.map((d) => d.row));
  try {
    const results = await writeTransaction(database, async (tx) => {
      const stamp = now().toISOString();
      const out: MachineImportResult['results'] = [];
      const failed: ImportRowError[] = [...dupes];
      for (const [i, input] of parsed.entries()) {
        if (skip.has(i + 1)) continue;
        try {
          const m = await insertMachine(tx, input, stamp);
          out.push({ row: i + 1, hostname: m.hostname, ip: m.ip, mac: m.mac });
        } catch (e) {
          if (!isAppError(e)) throw e;
          failed.push({ row: i + 1, ...firstDetail(e) });
        }
      }
      if (failed.length > 0) throw invalid(failed.sort((a, b) => a.row - b.row));
      if (dryRun) throw new DryRun(out);
      return out;
    });
    return { dry_run: false, created: results.length, results };
  } catch (e) {
    if (e instanceof DryRun) {
      return { dry_run: true, created: e.results.length, results: e.results };
    }
    throw e;
  }
}

function firstDetail(e: AppError): { field: string; message: string } {
  const detail = Array.isArray(e.details)
    ? (e.details[0] as { field?: string; message?: string })
    : undefined;
  if (detail?.field && detail.message) return { field: detail.field, message: detail.message };
  return { field: e.code === 'pool_exhausted' ? 'ip' : 'row', message: e.message };
}
