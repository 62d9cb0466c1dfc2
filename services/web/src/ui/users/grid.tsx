import type { User } from '@lanctl/model';
import { rowWindow } from '../machines/table.ts';
import { useScrollView } from '../use-scroll-view.ts';
import { nextUserSort, type UserSort, type UserSortKey } from './table.ts';

/** Row height in CSS pixels: fixed, so the window of drawn rows is plain arithmetic. */
const ROW_HEIGHT = 40;

const COLUMNS: { key: UserSortKey; label: string }[] = [
  { key: 'login', label: 'Login' },
  { key: 'firstname', label: 'First name' },
  { key: 'lastname', label: 'Last name' },
  { key: 'group', label: 'Group' },
  { key: 'uid', label: 'UID' },
];

export type UserAction = 'edit' | 'password' | 'delete';

/**
 * The users table: only the rows in view are drawn (as the machines table), each with a
 * checkbox (for password sheets) and its actions.
 */
export function UserGrid(props: {
  rows: readonly User[];
  sort: UserSort;
  onSort: (sort: UserSort) => void;
  selected: ReadonlySet<string>;
  onSelect: (logins: string[], on: boolean) => void;
  onAction: (action: UserAction, user: User) => void;
}) {
  const { ref: scroller, ...view } = useScrollView<HTMLElement>();
  const win = rowWindow(view.top, view.height, ROW_HEIGHT, props.rows.length);
  const allOn = props.rows.length > 0 && props.rows.every((u) => props.selected.has(u.login));
  return (
    <section
      className="table-scroll users-scroll"
      ref={scroller}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scroll region must be focusable to scroll by keyboard
      tabIndex={0}
      aria-label="Users table"
    >
      <table className="data users-table" aria-rowcount={props.rows.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
            <th scope="col" className="check">
              <input
                type="checkbox"
                aria-label="Select every user shown"
                checked={allOn}
                onChange={(e) =>
                  props.onSelect(
                    props.rows.map((u) => u.login),
                    e.target.checked,
                  )
                }
              />
            </th>
            {COLUMNS.map((c) => (
              <SortHeader key={c.key} column={c} sort={props.sort} onSort={props.onSort} />
            ))}
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {win.padTop > 0 && <tr className="spacer" style={{ height: win.padTop }} />}
          {props.rows.slice(win.start, win.end).map((u, i) => (
            <UserRow
              key={u.login}
              user={u}
              index={win.start + i + 2}
              selected={props.selected.has(u.login)}
              onSelect={props.onSelect}
              onAction={props.onAction}
            />
          ))}
          {win.padBottom > 0 && <tr className="spacer" style={{ height: win.padBottom }} />}
        </tbody>
      </table>
    </section>
  );
}

function SortHeader(props: {
  column: { key: UserSortKey; label: string };
  sort: UserSort;
  onSort: (sort: UserSort) => void;
}) {
  const { column, sort } = props;
  const on = sort.key === column.key;
  return (
    <th
      scope="col"
      aria-sort={on ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
      className={column.key === 'uid' ? 'num' : undefined}
    >
      <button
        type="button"
        className="sort"
        onClick={() => props.onSort(nextUserSort(sort, column.key))}
      >
        {column.label}
        <span aria-hidden="true">{on ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

function UserRow(props: {
  user: User;
  index: number;
  selected: boolean;
  onSelect: (logins: string[], on: boolean) => void;
  onAction: (action: UserAction, user: User) => void;
}) {
  const { user: u } = props;
  return (
    <tr aria-rowindex={props.index} style={{ height: ROW_HEIGHT }}>
      <td className="check">
        <input
          type="checkbox"
          aria-label={`Select ${u.login}`}
          checked={props.selected}
          onChange={(e) => props.onSelect([u.login], e.target.checked)}
        />
      </td>
      <td className="mono">{u.login}</td>
      <td>{u.firstname}</td>
      <td>{u.lastname}</td>
      <td>{u.group}</td>
      <td className="num">{u.uid}</td>
      <td>
        <div className="user-actions">
          <button
            type="button"
            aria-label={`Edit ${u.login}`}
            onClick={() => props.onAction('edit', u)}
          >
            Edit
          </button>
          <button
            type="button"
            aria-label={`Reset the password of ${u.login}`}
            onClick={() => props.onAction('password', u)}
          >
            Reset password
          </button>
          <button
            type="button"
            className="user-delete"
            aria-label={`Delete ${u.login}`}
            onClick={() => props.onAction('delete', u)}
          >
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}
