import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { listNames } from '../api.ts';
import { StreamStateBadge } from '../streams/stream-state.tsx';
import { AddMachineForm } from './add-form.tsx';
import { MachineGrid } from './grid.tsx';
import { MachineImportWizard } from './import-wizard.tsx';
import './machines.css';
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

/** Machines (roots): every machine, followed live, searched, filtered and sorted in the page. */
export function MachinesView() {
  const { machines, state: live, error, setError, replace } = useMachines();
  const [filter, setFilter] = useState<MachineFilter>(NO_FILTER);
  const [sort, setSort] = useState<Sort>({ key: 'hostname', dir: 'asc' });
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const addButton = useRef<HTMLButtonElement>(null);
  const closeForm = () => {
    setAdding(false);
    // Back where the keyboard was before the form opened.
    setTimeout(() => addButton.current?.focus());
  };
  const [announce, setAnnounce] = useState('');
  const rowForms = useRowForms({ replace, setAnnounce, setError });
  const [names, setNames] = useState<{ rooms: string[]; mtypes: string[] }>({
    rooms: [],
    mtypes: [],
  });
  // Typing stays responsive: the table catches up with the query when React has time.
  const query = useDeferredValue(filter.query);

  useEffect(() => {
    Promise.all([listNames('rooms'), listNames('machine-types')])
      .then(([rooms, mtypes]) => setNames({ rooms, mtypes }))
      .catch(() => {});
  }, []);

  const sorted = useMemo(() => (machines ? sortMachines(machines, sort) : []), [machines, sort]);
  const { room, mtype, state } = filter;
  const rows = useMemo(
    () => sorted.filter(machineMatcher({ query, room, mtype, state })),
    [sorted, query, room, mtype, state],
  );
  const rooms = useMemo(
    () => merge(names.rooms, distinct(machines ?? [], 'room')),
    [names, machines],
  );
  const mtypes = useMemo(
    () => merge(names.mtypes, distinct(machines ?? [], 'mtype')),
    [names, machines],
  );

  const set = (patch: Partial<MachineFilter>) => setFilter((f) => ({ ...f, ...patch }));
  return (
    <section aria-labelledby="machines-title" className="machines">
      <div className="title-row">
        <h1 id="machines-title">Machines</h1>
        <StreamStateBadge state={live} />
        <button
          type="button"
          className="primary"
          ref={addButton}
          onClick={() => setAdding(true)}
          disabled={adding}
        >
          Add machine
        </button>
        <button type="button" onClick={() => setImporting(true)} aria-expanded={importing}>
          Import CSV
        </button>
      </div>
      {importing && (
        <MachineImportWizard
          onClose={() => setImporting(false)}
          onImported={(created) => {
            // The new rows arrive on the machines stream.
            setAnnounce(`Imported ${created} machines.`);
          }}
        />
      )}
      {adding && (
        <AddMachineForm
          rooms={rooms}
          mtypes={mtypes}
          onCancel={closeForm}
          onAdded={(m) => {
            replace(null, m);
            closeForm();
            setAnnounce(`Added ${m.hostname} (${m.ip}).`);
          }}
        />
      )}
      <p className="status" role="status">
        {announce}
      </p>
      <Toolbar
        filter={filter}
        onChange={set}
        rooms={rooms}
        mtypes={mtypes}
        count={machines === null ? '' : `${rows.length} of ${machines.length} machines`}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {machines === null && !error && <p>Loading machines…</p>}
      {machines !== null && (
        <MachineGrid
          rows={rows}
          sort={sort}
          onSort={setSort}
          onAction={rowForms.act}
          open={rowForms.open(machines, rooms, mtypes)}
        />
      )}
    </section>
  );
}

/** Search as you type, and the room, type and state filters. */
function Toolbar(props: {
  filter: MachineFilter;
  onChange: (patch: Partial<MachineFilter>) => void;
  rooms: string[];
  mtypes: string[];
  count: string;
}) {
  const { filter, onChange } = props;
  return (
    <search className="toolbar">
      <label>
        Search
        <input
          type="search"
          placeholder="hostname, IP or MAC"
          value={filter.query}
          onChange={(e) => onChange({ query: e.target.value })}
        />
      </label>
      <Choice
        label="Room"
        value={filter.room}
        options={props.rooms}
        onChange={(room) => onChange({ room })}
      />
      <Choice
        label="Type"
        value={filter.mtype}
        options={props.mtypes}
        onChange={(mtype) => onChange({ mtype })}
      />
      <Choice
        label="State"
        value={filter.state}
        options={['ok', 'faulty']}
        onChange={(state) => onChange({ state: state as MachineFilter['state'] })}
      />
      <span className="count" aria-live="polite">
        {props.count}
      </span>
    </search>
  );
}

function Choice(props: {
  label: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">all</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

const merge = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();
