import type { SheetEntry, User } from '@lanctl/model';
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { useKeyedStream } from '../streams/use-keyed-stream.ts';
import { type CreatedUser, listUsers } from './api.ts';
import type { UserAction } from './grid.tsx';
import { NO_USER_FILTER, sortUsers, type UserFilter, type UserSort, userMatcher } from './table.ts';

const loginOf = (u: User) => u.login;

/** What is open over (or instead of) the table. */
export type Panel =
  | { kind: 'none' }
  | { kind: 'add' }
  | { kind: 'edit'; user: User }
  | { kind: 'delete'; user: User }
  | { kind: 'password'; user: User }
  | { kind: 'created'; entry: SheetEntry }
  | { kind: 'selection'; users: User[] }
  | { kind: 'import' }
  | { kind: 'sheets'; entries: SheetEntry[] };

/** The users table: the live list, the filter, sort and selection, and the rows they leave. */
function useUsersTable() {
  const {
    items: users,
    state,
    error,
    replace,
    refreshIfNotLive,
  } = useKeyedStream('users', loginOf, listUsers);
  const [filter, setFilter] = useState<UserFilter>(NO_USER_FILTER);
  const [sort, setSort] = useState<UserSort>({ key: 'login', dir: 'asc' });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const query = useDeferredValue(filter.query);

  const sorted = useMemo(() => (users ? sortUsers(users, sort) : []), [users, sort]);
  const rows = useMemo(
    () => sorted.filter(userMatcher({ query, group: filter.group })),
    [sorted, query, filter.group],
  );
  const chosen = useMemo(() => sorted.filter((u) => selected.has(u.login)), [sorted, selected]);
  const select = (logins: string[], on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      for (const l of logins) on ? next.add(l) : next.delete(l);
      return next;
    });
  const changeFilter = (patch: Partial<UserFilter>) => setFilter((f) => ({ ...f, ...patch }));
  const clearSelection = () => setSelected(new Set());
  return {
    users,
    state,
    error,
    replace,
    refreshIfNotLive,
    rows,
    chosen,
    filter,
    changeFilter,
    sort,
    setSort,
    selected,
    select,
    clearSelection,
  };
}

/** The open panel; closing it gives the focus back to what opened it (or to the page if gone). */
function usePanel() {
  const [panel, setPanel] = useState<Panel>({ kind: 'none' });
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
  return { panel, setPanel, open, close };
}

/** The users view's state and what its actions do to the list, the panel and the status line. */
export function useUsersView() {
  const table = useUsersTable();
  const { panel, setPanel, open, close } = usePanel();
  const [announce, setAnnounce] = useState('');
  const { replace, select } = table;

  const onAction = (action: UserAction, user: User) => {
    setAnnounce('');
    open({ kind: action, user });
  };
  const print = (entries: SheetEntry[]) => setPanel({ kind: 'sheets', entries });
  const onSaved = (user: CreatedUser, created: boolean) => {
    const { password, ...saved } = user;
    replace(saved.login, saved);
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
  };
  const onDeleted = (user: User) => {
    replace(user.login, null);
    select([user.login], false);
    setAnnounce(`Deleted ${user.login}.`);
    close();
  };
  return { table, panel, open, close, announce, onAction, print, onSaved, onDeleted };
}
