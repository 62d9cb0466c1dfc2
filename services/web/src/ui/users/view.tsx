import { GROUPS, type Group, type SheetEntry, type User } from '@lanctl/model';
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import type { Session } from '../api.ts';
import { StreamStateBadge } from '../streams/stream-state.tsx';
import { useKeyedStream } from '../streams/use-keyed-stream.ts';
import { listUsers } from './api.ts';
import { BulkResetDialog } from './bulk-reset.tsx';
import { DeleteDialog, Dialog, PasswordOnce, ResetDialog } from './dialogs.tsx';
import { type UserAction, UserGrid } from './grid.tsx';
import { ImportWizard } from './import-wizard.tsx';
import { PasswordSheets } from './sheets.tsx';
import { NO_USER_FILTER, sortUsers, type UserFilter, type UserSort, userMatcher } from './table.ts';
import { UserForm } from './user-form.tsx';
import './users.css';

const loginOf = (u: User) => u.login;

/** What is open over (or instead of) the table. */
type Panel =
  | { kind: 'none' }
  | { kind: 'add' }
  | { kind: 'edit'; user: User }
  | { kind: 'delete'; user: User }
  | { kind: 'password'; user: User }
  | { kind: 'created'; entry: SheetEntry }
  | { kind: 'selection'; users: User[] }
  | { kind: 'import' }
  | { kind: 'sheets'; entries: SheetEntry[] };

/**
 * Users (organizers and roots): every account, followed live from udb's stream, searched,
 * filtered and sorted in the page; add, edit, delete, reset a password, import a file, print
 * password sheets. The API decides what an organizer may touch: its refusals are shown as they
 * come.
 */
export function UsersView({ session }: { session: Session }) {
  const {
    items: users,
    state,
    error,
    replace: replaceUser,
  } = useKeyedStream('users', loginOf, listUsers);
  const [filter, setFilter] = useState<UserFilter>(NO_USER_FILTER);
  const [sort, setSort] = useState<UserSort>({ key: 'login', dir: 'asc' });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
  const [announce, setAnnounce] = useState('');
  const query = useDeferredValue(filter.query);

  const sorted = useMemo(() => (users ? sortUsers(users, sort) : []), [users, sort]);
  const rows = useMemo(
    () => sorted.filter(userMatcher({ query, group: filter.group })),
    [sorted, query, filter.group],
  );
  const chosen = useMemo(() => sorted.filter((u) => selected.has(u.login)), [sorted, selected]);

  // Closing a panel gives the focus back to what opened it (or to the page if that is gone).
  const opener = useRef<HTMLElement | null>(null);
  const open = (next: Panel) => {
    if (panel.kind === 'none') opener.current = document.activeElement as HTMLElement | null;
    setPanel(next);
  };
  const close = () => {
    setPanel({ kind: 'none' });
    setTimeout(() => {
      const back = opener.current?.isConnected ? opener.current : document.getElementById('main');
      back?.focus();
    });
  };
  const replace = (user: User) => replaceUser(user.login, user);
  const select = (logins: string[], on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      for (const l of logins) on ? next.add(l) : next.delete(l);
      return next;
    });
  const onAction = (action: UserAction, user: User) => {
    setAnnounce('');
    open({ kind: action, user });
  };
  const print = (entries: SheetEntry[]) => setPanel({ kind: 'sheets', entries });

  if (panel.kind === 'sheets') return <PasswordSheets entries={panel.entries} onClose={close} />;
  return (
    <section aria-labelledby="users-title" className="users">
      <div className="title-row">
        <h1 id="users-title">Users</h1>
        <StreamStateBadge state={state} />
        <button
          type="button"
          className="primary"
          onClick={() => open({ kind: 'add' })}
          disabled={panel.kind === 'add'}
        >
          Add user
        </button>
        <button
          type="button"
          onClick={() => open({ kind: 'import' })}
          disabled={panel.kind === 'import'}
        >
          Import users
        </button>
        <span className="muted who-note">you are {session.subject}</span>
      </div>
      {panel.kind === 'import' && <ImportWizard onPrint={print} onClose={close} />}
      {(panel.kind === 'add' || panel.kind === 'edit') && (
        <UserForm
          key={panel.kind === 'edit' ? panel.user.login : ''}
          user={panel.kind === 'edit' ? panel.user : undefined}
          onCancel={close}
          onSaved={(user, created) => {
            const { password, ...saved } = user;
            replace(saved);
            setAnnounce(`${created ? 'Added' : 'Saved'} ${user.login} (uid ${user.uid}).`);
            if (password) {
              const entry = {
                login: user.login,
                firstname: user.firstname,
                lastname: user.lastname,
                password,
              };
              setPanel({ kind: 'created', entry });
            } else close();
          }}
        />
      )}
      <p className="status" role="status">
        {announce}
      </p>
      <Toolbar
        filter={filter}
        onChange={(patch) => setFilter((f) => ({ ...f, ...patch }))}
        count={users === null ? '' : `${rows.length} of ${users.length} users`}
        selected={chosen.length}
        onSheets={() => open({ kind: 'selection', users: chosen })}
        onClearSelection={() => setSelected(new Set())}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {users === null && !error && <p>Loading users…</p>}
      {users !== null && (
        <UserGrid
          rows={rows}
          sort={sort}
          onSort={setSort}
          selected={selected}
          onSelect={select}
          onAction={onAction}
        />
      )}
      <Dialogs
        panel={panel}
        onClose={close}
        onPrint={print}
        onDeleted={(user) => {
          replaceUser(user.login, null);
          select([user.login], false);
          setAnnounce(`Deleted ${user.login}.`);
          close();
        }}
      />
    </section>
  );
}

function Dialogs(props: {
  panel: Panel;
  onClose: () => void;
  onPrint: (entries: SheetEntry[]) => void;
  onDeleted: (user: User) => void;
}) {
  const { panel } = props;
  switch (panel.kind) {
    case 'delete':
      return <DeleteDialog user={panel.user} onDeleted={props.onDeleted} onClose={props.onClose} />;
    case 'password':
      return <ResetDialog user={panel.user} onPrint={props.onPrint} onClose={props.onClose} />;
    case 'selection':
      return (
        <BulkResetDialog users={panel.users} onPrint={props.onPrint} onClose={props.onClose} />
      );
    case 'created':
      return (
        <Dialog title={`${panel.entry.login} created`} onClose={props.onClose}>
          <PasswordOnce entry={panel.entry} />
          <div className="actions">
            <button type="button" className="primary" onClick={props.onClose}>
              Done
            </button>
            <button type="button" onClick={() => props.onPrint([panel.entry])}>
              Print a sheet
            </button>
          </div>
        </Dialog>
      );
    default:
      return null;
  }
}

/** Search as you type, the group filter, and what to do with the selection. */
function Toolbar(props: {
  filter: UserFilter;
  onChange: (patch: Partial<UserFilter>) => void;
  count: string;
  selected: number;
  onSheets: () => void;
  onClearSelection: () => void;
}) {
  const { filter, onChange, selected } = props;
  return (
    <search className="toolbar">
      <label>
        Search
        <input
          type="search"
          placeholder="login or name"
          value={filter.query}
          onChange={(e) => onChange({ query: e.target.value })}
        />
      </label>
      <label>
        Group
        <select
          value={filter.group}
          onChange={(e) => onChange({ group: e.target.value as Group | '' })}
        >
          <option value="">all</option>
          {GROUPS.map((g) => (
            <option key={g} value={g}>
              {g}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={props.onSheets} disabled={selected === 0}>
        Print sheets for {selected} selected…
      </button>
      {selected > 0 && (
        <button type="button" onClick={props.onClearSelection}>
          Clear selection
        </button>
      )}
      <span className="count" aria-live="polite">
        {props.count}
      </span>
    </search>
  );
}
