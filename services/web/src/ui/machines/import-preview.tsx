import type { MachineCsvError, MachineImportResult } from '@lanctl/model';
import { useId, useMemo, useState } from 'react';
import {
  type Analysis,
  countsText,
  type ImportSource,
  type PreviewRow,
  previewRows,
  problemText,
} from './import.ts';

/** Rows drawn at once: 5,000 rows of a big file stay a click away, a page at a time. */
export const PAGE_ROWS = 200;

/** The first `limit` items, and a "show more" line saying how many are hidden. */
function useCapped<T>(items: readonly T[]) {
  const [limit, setLimit] = useState(PAGE_ROWS);
  const hidden = Math.max(0, items.length - limit);
  const more = hidden > 0 && (
    <p className="hint import-hidden">
      Showing {limit} of {items.length} rows; {hidden} more not shown.{' '}
      <button type="button" className="small" onClick={() => setLimit((n) => n + PAGE_ROWS)}>
        Show {Math.min(hidden, PAGE_ROWS)} more
      </button>
    </p>
  );
  return { shown: items.slice(0, limit), more };
}

/** Rows the parser could not read, by file row and column (before anything is sent). */
export function UnreadRows({ errors }: { errors: readonly MachineCsvError[] }) {
  const { shown, more } = useCapped(errors);
  if (errors.length === 0) return null;
  return (
    <>
      <ul className="import-problems" aria-label="Problems in the file">
        {shown.map((e) => (
          <li key={`${e.row}-${e.field ?? ''}-${e.message}`}>
            Row {e.row}: {e.field ? `${e.field}: ` : ''}
            {e.message}
          </li>
        ))}
      </ul>
      {more}
    </>
  );
}

type Filter = 'all' | 'problems' | 'clean';

/** Step 2: the dry run's verdict on every row, and what can be done about it. */
export function PreviewStep(props: {
  source: ImportSource;
  analysis: Analysis;
  leftOut: number;
  busy: boolean;
  onConfirm: () => void;
  onOnlyClean: () => void;
  onBack: () => void;
  onCancel: () => void;
}) {
  const { analysis, busy } = props;
  const rows = useMemo(() => previewRows(props.source, analysis), [props.source, analysis]);
  const clean = analysis.clean.rows.length;
  const bad = analysis.problems.length > 0;
  return (
    <>
      <p className="summary" role="status">
        Dry run, nothing written: {countsText(analysis)}.
      </p>
      {props.leftOut > 0 && (
        <p className="notice">
          {props.leftOut} row{props.leftOut === 1 ? '' : 's'} of the file with problems{' '}
          {props.leftOut === 1 ? 'is' : 'are'} left out; only the rows below are sent.
        </p>
      )}
      {bad && (
        <p className="hint">
          An import is all or nothing: fix the rows with problems in the file, or import only the
          rows without problems (they are checked again first).
        </p>
      )}
      <PreviewTable rows={rows} />
      <div className="actions">
        {!bad && clean > 0 && (
          <button type="button" className="primary" onClick={props.onConfirm} disabled={busy}>
            {busy ? 'Importing…' : `Import ${clean} machine${clean === 1 ? '' : 's'}`}
          </button>
        )}
        {bad && clean > 0 && (
          <button type="button" className="primary" onClick={props.onOnlyClean} disabled={busy}>
            {busy
              ? 'Checking…'
              : `Import the ${clean} row${clean === 1 ? '' : 's'} without problems`}
          </button>
        )}
        <button type="button" onClick={props.onBack} disabled={busy}>
          Back to the file
        </button>
        <button type="button" onClick={props.onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </>
  );
}

const FILTERS: Record<Filter, (r: PreviewRow) => boolean> = {
  all: () => true,
  problems: (r) => r.problems.length > 0,
  clean: (r) => r.problems.length === 0,
};

/** Every row by file row: what it would become, or its problems next to it. */
function PreviewTable({ rows }: { rows: readonly PreviewRow[] }) {
  const id = useId();
  const [filter, setFilter] = useState<Filter>('all');
  const filtered = useMemo(() => rows.filter(FILTERS[filter]), [rows, filter]);
  const { shown, more } = useCapped(filtered);
  return (
    <>
      <div className="field import-filter">
        <label htmlFor={`${id}-filter`}>Show</label>
        <select
          id={`${id}-filter`}
          value={filter}
          onChange={(e) => setFilter(e.target.value as Filter)}
        >
          <option value="all">every row</option>
          <option value="problems">rows with problems</option>
          <option value="clean">rows without problems</option>
        </select>
      </div>
      <section className="table-scroll import-table" aria-label="Import preview">
        <table className="data">
          <thead>
            <tr>
              <th scope="col" className="num">
                Row
              </th>
              <th scope="col">Hostname</th>
              <th scope="col">MAC</th>
              <th scope="col">Room</th>
              <th scope="col">Type</th>
              <th scope="col">Address</th>
              <th scope="col">Problems</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <PreviewLine key={r.line} row={r} />
            ))}
          </tbody>
        </table>
      </section>
      {more}
    </>
  );
}

function PreviewLine({ row }: { row: PreviewRow }) {
  const bad = row.problems.length > 0;
  return (
    <tr data-line={row.line} data-status={bad ? 'problem' : 'ok'}>
      <td className="num">{row.line}</td>
      <td className="mono">{row.hostname}</td>
      <td className="mono">{row.mac}</td>
      <td>{row.room}</td>
      <td>{row.mtype}</td>
      <td className="mono">{bad ? '' : row.ip}</td>
      <td className="import-reason">
        {bad ? (
          <ul>
            {row.problems.map((p) => (
              <li key={`${p.field ?? ''}-${p.message}`} data-field={p.field}>
                {problemText(p)}
              </li>
            ))}
          </ul>
        ) : (
          <span className="state state-ok">ok</span>
        )}
      </td>
    </tr>
  );
}

/** Step 3: what was created, by file row. */
export function DoneStep(props: {
  result: MachineImportResult;
  lines: readonly number[];
  onClose: () => void;
}) {
  const { created, results } = props.result;
  const { shown, more } = useCapped(results);
  return (
    <>
      <p className="summary" role="status">
        Imported: {created} machine{created === 1 ? '' : 's'} created.
      </p>
      <section className="table-scroll import-table" aria-label="Import result">
        <table className="data">
          <thead>
            <tr>
              <th scope="col" className="num">
                Row
              </th>
              <th scope="col">Hostname</th>
              <th scope="col">Address</th>
              <th scope="col">MAC</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.hostname}>
                <td className="num">{props.lines[r.row - 1] ?? r.row}</td>
                <td className="mono">{r.hostname}</td>
                <td className="mono">{r.ip}</td>
                <td className="mono">{r.mac}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {more}
      <div className="actions">
        <button type="button" className="primary" onClick={props.onClose}>
          Done
        </button>
      </div>
    </>
  );
}
