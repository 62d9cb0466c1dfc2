import { useState } from 'react';
import { ListState } from '../list-state.tsx';
import { StreamStateBadge } from '../streams/stream-state.tsx';
import type { StreamState } from '../streams/use-table-stream.ts';
import { AddMachineForm } from './add-form.tsx';
import { MachineGrid } from './grid.tsx';
import { MachineImportWizard } from './import-wizard.tsx';
import './machines.css';
import { Toolbar } from './toolbar.tsx';
import { useAddForm, useMachinesView } from './use-machines-view.ts';

/** Machines (roots): every machine, followed live, searched, filtered and sorted in the page. */
export function MachinesView() {
  const v = useMachinesView();
  const add = useAddForm();
  const [importing, setImporting] = useState(false);
  const { machines, rows, rooms, mtypes } = v;
  return (
    <section aria-labelledby="machines-title" className="machines">
      <TitleRow live={v.live} add={add} importing={importing} onImport={() => setImporting(true)} />
      {importing && (
        <MachineImportWizard
          onClose={() => setImporting(false)}
          onImported={(created) => {
            v.setAnnounce(`Imported ${created} machine${created === 1 ? '' : 's'}.`);
            // The new rows come on the machines stream; without it, from the API.
            v.refreshIfNotLive();
          }}
        />
      )}
      {add.adding && (
        <AddMachineForm
          rooms={rooms}
          mtypes={mtypes}
          onCancel={add.close}
          onAdded={(m) => {
            v.replace(null, m);
            add.close();
            v.setAnnounce(`Added ${m.hostname} (${m.ip}).`);
          }}
        />
      )}
      <p className="status" role="status">
        {v.announce}
      </p>
      <Toolbar
        filter={v.filter}
        onChange={v.changeFilter}
        rooms={rooms}
        mtypes={mtypes}
        count={machines === null ? '' : `${rows.length} of ${machines.length} machines`}
      />
      <ListState error={v.error} data={machines} loading={<p>Loading machines…</p>}>
        {(all) => (
          <MachineGrid
            rows={rows}
            sort={v.sort}
            onSort={v.setSort}
            onAction={v.rowForms.act}
            open={v.rowForms.open(all, rooms, mtypes)}
          />
        )}
      </ListState>
    </section>
  );
}

/** The title, the stream's state, and the buttons that open the add form and the import. */
function TitleRow(props: {
  live: StreamState;
  add: ReturnType<typeof useAddForm>;
  importing: boolean;
  onImport: () => void;
}) {
  const { add } = props;
  return (
    <div className="title-row">
      <h1 id="machines-title">Machines</h1>
      <StreamStateBadge state={props.live} />
      <button
        type="button"
        className="primary"
        ref={add.addButton}
        onClick={add.open}
        disabled={add.adding}
      >
        Add machine
      </button>
      <button type="button" onClick={props.onImport} aria-expanded={props.importing}>
        Import CSV
      </button>
    </div>
  );
}
