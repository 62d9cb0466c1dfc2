import type { Machine } from '@lanctl/model';
import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { listNames } from '../api.ts';
import {
  distinct,
  type MachineFilter,
  machineMatcher,
  NO_FILTER,
  type Sort,
  sortMachines,
} from './table.ts';
import { useMachines } from './use-machines.ts';
import { useRowForms } from './use-row-forms.tsx';

/**
 * The machines view's state: the live list, the filter and sort, the rows they leave, the room
 * and type names offered, the row forms, and the status line.
 */
export function useMachinesView() {
  const { machines, state: live, error, setError, replace, refreshIfNotLive } = useMachines();
  const [filter, setFilter] = useState<MachineFilter>(NO_FILTER);
  const [sort, setSort] = useState<Sort>({ key: 'hostname', dir: 'asc' });
  const [announce, setAnnounce] = useState('');
  const rowForms = useRowForms({ replace, setAnnounce, setError });
  const { rooms, mtypes } = useChoices(machines);
  // Typing stays responsive: the table catches up with the query when React has time.
  const query = useDeferredValue(filter.query);

  const sorted = useMemo(() => (machines ? sortMachines(machines, sort) : []), [machines, sort]);
  const { room, mtype, state } = filter;
  const rows = useMemo(
    () => sorted.filter(machineMatcher({ query, room, mtype, state })),
    [sorted, query, room, mtype, state],
  );
  const changeFilter = (patch: Partial<MachineFilter>) => setFilter((f) => ({ ...f, ...patch }));
  return {
    machines,
    live,
    error,
    replace,
    refreshIfNotLive,
    rows,
    rooms,
    mtypes,
    rowForms,
    filter,
    changeFilter,
    sort,
    setSort,
    announce,
    setAnnounce,
  };
}

/** Room and type names offered by the filters and forms: mdb's, plus any a machine carries. */
function useChoices(machines: Machine[] | null) {
  const [names, setNames] = useState<{ rooms: string[]; mtypes: string[] }>({
    rooms: [],
    mtypes: [],
  });
  useEffect(() => {
    Promise.all([listNames('rooms'), listNames('machine-types')])
      .then(([rooms, mtypes]) => setNames({ rooms, mtypes }))
      .catch(() => {});
  }, []);
  const rooms = useMemo(
    () => merge(names.rooms, distinct(machines ?? [], 'room')),
    [names, machines],
  );
  const mtypes = useMemo(
    () => merge(names.mtypes, distinct(machines ?? [], 'mtype')),
    [names, machines],
  );
  return { rooms, mtypes };
}

/** The add form's toggle; closing it gives the keyboard back to the "Add machine" button. */
export function useAddForm() {
  const [adding, setAdding] = useState(false);
  const addButton = useRef<HTMLButtonElement>(null);
  const close = () => {
    setAdding(false);
    // Back where the keyboard was before the form opened.
    setTimeout(() => addButton.current?.focus());
  };
  return { adding, open: () => setAdding(true), close, addButton };
}

const merge = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();
