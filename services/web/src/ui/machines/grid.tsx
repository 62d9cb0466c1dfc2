import type { Machine } from '@lanctl/model';
import type { ReactNode } from 'react';
import { onLinkClick } from '../router.ts';
import { useScrollView } from '../use-scroll-view.ts';
import { machineState, nextSort, rowWindow, type Sort, type SortKey } from './table.ts';

/** Row height in CSS pixels: fixed, so the window of drawn rows is plain arithmetic. */
export const ROW_HEIGHT = 40;

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'hostname', label: 'Hostname' },
  { key: 'ip', label: 'IP' },
  { key: 'mac', label: 'MAC' },
  { key: 'room', label: 'Room' },
  { key: 'mtype', label: 'Type' },
  { key: 'state', label: 'State' },
];

/**
 * A real table whose body draws only the rows in view (plus a margin); two spacer rows stand
 * for the others, so scrolling 10,000 machines keeps a few dozen rows in the DOM.
 */
export function MachineGrid(props: {
  rows: readonly Machine[];
  sort: Sort;
  onSort: (sort: Sort) => void;
  /** The row drawn as a form (edit, faulty, delete) in place of its cells, if any. */
  open?: { hostname: string; content: ReactNode };
  onAction?: (m: Machine, action: RowAction) => void;
}) {
  const { ref: scroller, ...view } = useScrollView<HTMLElement>();
  // An open form makes its row taller than ROW_HEIGHT: a wider margin keeps the rows around it
  // drawn whatever the arithmetic's offset (a form is at most about 15 rows high).
  const overscan = props.open ? 24 : 8;
  const win = rowWindow(view.top, view.height, ROW_HEIGHT, props.rows.length, overscan);
  const drawn = props.rows.slice(win.start, win.end);
  return (
    // A focusable region: the keyboard scrolls the table (arrows, Page Up/Down, Home/End).
    <section
      className="table-scroll machines-scroll"
      ref={scroller}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scroll region must be focusable to scroll by keyboard
      tabIndex={0}
      aria-label="Machines table"
    >
      <table className="data" aria-rowcount={props.rows.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                scope="col"
                aria-sort={
                  props.sort.key === c.key
                    ? props.sort.dir === 'asc'
                      ? 'ascending'
                      : 'descending'
                    : 'none'
                }
              >
                <button
                  type="button"
                  className="sort"
                  onClick={() => props.onSort(nextSort(props.sort, c.key))}
                >
                  {c.label}
                  <span aria-hidden="true">
                    {props.sort.key === c.key ? (props.sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                  </span>
                </button>
              </th>
            ))}
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {win.padTop > 0 && <tr className="spacer" style={{ height: win.padTop }} />}
          {drawn.map((m, i) =>
            props.open?.hostname === m.hostname ? (
              <tr key={m.hostname} aria-rowindex={win.start + i + 2} className="panel-row">
                <td colSpan={COLUMNS.length + 1}>{props.open.content}</td>
              </tr>
            ) : (
              <tr key={m.hostname} aria-rowindex={win.start + i + 2} style={{ height: ROW_HEIGHT }}>
                <td className="mono">
                  <a href={`/machines/${m.hostname}`} onClick={onLinkClick}>
                    {m.hostname}
                  </a>
                </td>
                <td className="mono">{m.ip}</td>
                <td className="mono">{m.mac}</td>
                <td>{m.room}</td>
                <td>{m.mtype}</td>
                <td className="state-cell" title={m.is_faulty_details || undefined}>
                  <span className={`state state-${machineState(m)}`}>{machineState(m)}</span>
                  {m.is_faulty && m.is_faulty_details && (
                    <span className="reason">: {m.is_faulty_details}</span>
                  )}
                </td>
                <td className="row-actions">
                  <RowButtons machine={m} onAction={props.onAction} />
                </td>
              </tr>
            ),
          )}
          {win.padBottom > 0 && <tr className="spacer" style={{ height: win.padBottom }} />}
        </tbody>
      </table>
    </section>
  );
}

export type RowAction = 'edit' | 'faulty' | 'clear' | 'delete';

/** Per-row actions; `data-action` and `data-host` let the view give the focus back after a form. */
function RowButtons(props: { machine: Machine; onAction?: (m: Machine, a: RowAction) => void }) {
  const { machine: m, onAction } = props;
  if (!onAction) return null;
  const button = (action: RowAction, label: string) => (
    <button
      type="button"
      className="small"
      data-action={action}
      data-host={m.hostname}
      aria-label={`${label} ${m.hostname}`}
      onClick={() => onAction(m, action)}
    >
      {label}
    </button>
  );
  return (
    <>
      {button('edit', 'Edit')}
      {m.is_faulty ? button('clear', 'Clear fault') : button('faulty', 'Faulty…')}
      {button('delete', 'Delete')}
    </>
  );
}
