import type { Machine } from '@lanctl/model';
import { useLayoutEffect, useRef, useState } from 'react';
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
}) {
  const scroller = useRef<HTMLElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const update = () => setView({ top: el.scrollTop, height: el.clientHeight });
    update();
    el.addEventListener('scroll', update, { passive: true });
    const resize = new ResizeObserver(update);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      resize.disconnect();
    };
  }, []);
  const win = rowWindow(view.top, view.height, ROW_HEIGHT, props.rows.length);
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
          </tr>
        </thead>
        <tbody>
          {win.padTop > 0 && <tr className="spacer" style={{ height: win.padTop }} />}
          {drawn.map((m, i) => (
            <tr key={m.hostname} aria-rowindex={win.start + i + 2} style={{ height: ROW_HEIGHT }}>
              <td className="mono">{m.hostname}</td>
              <td className="mono">{m.ip}</td>
              <td className="mono">{m.mac}</td>
              <td>{m.room}</td>
              <td>{m.mtype}</td>
              <td>
                <span className={`state state-${machineState(m)}`}>{machineState(m)}</span>
              </td>
            </tr>
          ))}
          {win.padBottom > 0 && <tr className="spacer" style={{ height: win.padBottom }} />}
        </tbody>
      </table>
    </section>
  );
}
