import { ListState } from '../list-state.tsx';
import { StreamStateBadge } from '../streams/stream-state.tsx';
import { CatalogTable } from './catalog-table.tsx';
import { DeleteRecord } from './delete-record.tsx';
import { ExpectedDialog } from './expected.tsx';
import { RecordForm } from './record-form.tsx';
import type { CatalogSpec } from './spec.ts';
import { useCatalogView } from './use-catalog-view.ts';
import './catalog.css';

/** One catalog table (rooms, switches, pools, machine types): add, inline edit, delete. */
export function CatalogView({ spec }: { spec: CatalogSpec }) {
  const v = useCatalogView(spec);
  const { rows, panel } = v;
  const current = rows?.find((r) => r.name === panel?.name);
  return (
    <section aria-labelledby="catalog-title" className="catalog">
      <TitleRow spec={spec} v={v} />
      <p className="status" role="status">
        {v.status}
      </p>
      <ListState
        error={v.loadError}
        data={rows}
        loading={<p className="loading">Loading…</p>}
        above={
          v.adding && (
            <RecordForm
              spec={spec}
              title={`Add ${spec.singular}`}
              save={v.add}
              onCancel={v.closeAdd}
            />
          )
        }
      >
        {(all) => (
          <CatalogTable
            spec={spec}
            rows={all}
            panel={panel}
            onPanel={(kind, name) => v.setPanel({ kind, name })}
            edit={v.edit}
            closeEdit={v.closeEdit}
          />
        )}
      </ListState>
      {panel?.kind === 'delete' && current && (
        <DeleteRecord
          spec={spec}
          row={current}
          onClose={() => v.setPanel(null)}
          onDeleted={() => v.deleted(current)}
        />
      )}
      {panel?.kind === 'expected' && current && (
        <ExpectedDialog room={current.name} onClose={() => v.setPanel(null)} />
      )}
    </section>
  );
}

/** The title, the stream's state, the count, and the button that opens the add form. */
function TitleRow({ spec, v }: { spec: CatalogSpec; v: ReturnType<typeof useCatalogView> }) {
  return (
    <div className="title-row">
      <h1 id="catalog-title">{spec.title}</h1>
      <StreamStateBadge state={v.live} />
      <span className="count">{v.rows ? `${v.rows.length} in all` : ''}</span>
      <button
        type="button"
        className="primary"
        ref={v.addButton}
        onClick={() => v.setAdding(true)}
        disabled={v.adding}
      >
        Add {spec.singular}
      </button>
    </div>
  );
}
