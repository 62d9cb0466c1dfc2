import { type MachineImportResult, parseMachineCsv } from '@lanctl/model';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api.ts';
import {
  analyse,
  countsText,
  type ImportSource,
  previewRows,
  problemsByLine,
  type SendImport,
  sourceOf,
  toFileRows,
  withoutProblems,
} from './import.ts';

const refused = (details: { row: number; field: string; message: string }[]) =>
  new ApiError(422, 'import_invalid', 'refused', details as never);

/** A fake mdb: refuses rows whose hostname is in `schema` (first) or `taken` (then). */
function fakeMdb(schema: string[], taken: string[]) {
  const calls: { hostnames: string[]; dryRun: boolean }[] = [];
  const send: SendImport = async (rows, dryRun) => {
    const hostnames = rows.map((r) => r.hostname as string);
    calls.push({ hostnames, dryRun });
    for (const list of [schema, taken]) {
      const bad = hostnames.flatMap((h, i) =>
        list.includes(h) ? [{ row: i + 1, field: 'hostname', message: `${h} refused` }] : [],
      );
      if (bad.length > 0) throw refused(bad);
    }
    const results = hostnames.map((hostname, i) => ({
      row: i + 1,
      hostname,
      ip: `10.0.0.${i + 1}`,
      mac: '',
    }));
    return { dry_run: dryRun, created: rows.length, results } satisfies MachineImportResult;
  };
  return { send, calls };
}

// Data rows 1..5, row 3 blank (skipped but counted), row 4 without a MAC.
const CSV =
  'hostname,mac,room\na,52:54:00:00:00:01,r\nb,52:54:00:00:00:02,r\n\nc,,r\nd,52:54:00:00:00:04,r\ne,52:54:00:00:00:05,r\n';

describe('machine import bookkeeping', () => {
  const source = sourceOf(parseMachineCsv(CSV)) as ImportSource;

  it('keeps the file rows of the parsed rows and of the unreadable ones', () => {
    expect(source.lines).toEqual([1, 2, 5, 6]);
    expect(source.unread).toEqual([{ line: 4, field: 'mac', message: 'required' }]);
    expect(sourceOf(parseMachineCsv('name\nx'))).toBeNull();
  });

  it('maps API rows (within what was sent) back to file rows, and groups them per row', () => {
    const found = toFileRows(
      [
        { row: 3, field: 'mac', message: 'taken' },
        { row: 1, field: 'hostname', message: 'bad' },
        { row: 3, field: 'ip', message: 'taken too' },
      ],
      source.lines,
    );
    expect(found.map((p) => p.line)).toEqual([5, 1, 5]);
    const grouped = problemsByLine(found);
    expect(grouped.get(5)?.map((p) => p.field)).toEqual(['mac', 'ip']);
    expect(grouped.get(1)).toHaveLength(1);
    const rest = withoutProblems(source, found);
    expect(rest.lines).toEqual([2, 6]);
    expect(rest.rows.map((r) => r.hostname)).toEqual(['b', 'e']);
  });

  it('dry-runs until every problem is known, then previews the rows without problems', async () => {
    const mdb = fakeMdb(['b'], ['d']);
    const analysis = await analyse(source, mdb.send);
    expect(mdb.calls).toEqual([
      { hostnames: ['a', 'b', 'd', 'e'], dryRun: true },
      { hostnames: ['a', 'd', 'e'], dryRun: true },
      { hostnames: ['a', 'e'], dryRun: true },
    ]);
    expect(analysis.problems.map((p) => [p.line, p.field])).toEqual([
      [2, 'hostname'],
      [4, 'mac'],
      [5, 'hostname'],
    ]);
    expect(analysis.clean.lines).toEqual([1, 6]);
    expect(countsText(analysis)).toBe('2 rows without problems, 3 rows with problems');

    const rows = previewRows(source, analysis);
    expect(rows.map((r) => [r.line, r.hostname, r.ip, r.problems.length])).toEqual([
      [1, 'a', '10.0.0.1', 0],
      [2, 'b', '', 1],
      [4, '', '', 1],
      [5, 'd', '', 1],
      [6, 'e', '10.0.0.2', 0],
    ]);
  });

  it('counts a clean file, and an all-bad file sends nothing more', async () => {
    const clean = await analyse({ ...source, unread: [] }, fakeMdb([], []).send);
    expect(countsText(clean)).toBe('4 machines will be created');
    expect(clean.addresses.get(6)).toBe('10.0.0.4');
    const mdb = fakeMdb(['a', 'b', 'd', 'e'], []);
    const none = await analyse(source, mdb.send);
    expect(mdb.calls).toHaveLength(1);
    expect(none.clean.rows).toEqual([]);
    expect(none.problems).toHaveLength(5);
  });

  it('throws failures other than a refused import', async () => {
    const down: SendImport = async () => {
      throw new ApiError(502, 'bad_gateway', 'mdb is down');
    };
    await expect(analyse(source, down)).rejects.toThrow('mdb is down');
  });
});
