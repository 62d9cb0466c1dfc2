import type { Page } from '@lanctl/model';
import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { StreamStateBadge } from '../streams/stream-state.tsx';
import { useReloadOnChange } from '../streams/use-table-stream.ts';
import { ConfirmActions, Dialog } from '../users/dialogs.tsx';
import { ExpectedDialog } from './expected.tsx';
import { RecordForm } from './record-form.tsx';
import { type CatalogSpec, createBody, type Fields, patchBody, type Row } from './spec.ts';
import './catalog.css';

const messageOf = (e: unknown) =>
  e instanceof ApiError ? e.message : 'the server did not answer; try again';

/** Every record of a collection, page after page. */
async function listAll(collection: string): Promise<Row[]> {
  const out: Row[] = [];
  let after: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '5000' });
    if (after) query.set('after', after);
    const page: Page<Row> = await api<Page<Row>>('GET', `/${collection}?${query}`);
    out.push(...page.items);
    after = page.next;
  } while (after);
  return out;
}

type Panel = { kind: 'edit' | 'delete' | 'expected'; name: string } | null;

/** One catalog table (rooms, switches, pools, machine types): add, inline edit, delete. */
export function CatalogView({ spec }: { spec: CatalogSpec }) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [loadError, setLoadError] = useState('');
  const [adding, setAdding] = useState(false);
  const [panel, setPanel] = useState<Panel>(null);
  const [status, setStatus] = useState('');
  const addButton = useRef<HTMLButtonElement>(null);
  const base = `/${spec.collection}`;
  // Closing a form gives the keyboard back to the button that opened it, once it is drawn.
  const refocus = useRef<string | null>(null);
  useEffect(() => {
    const want = refocus.current;
    if (want === null || adding || panel) return;
    const target =
      want === ''
        ? addButton.current
        : document.querySelector<HTMLButtonElement>(`button[data-edit="${CSS.escape(want)}"]`);
    refocus.current = null;
    target?.focus();
  });
  const closeAdd = () => {
    refocus.current = '';
    setAdding(false);
  };
  const closeEdit = (name: string) => {
    refocus.current = name;
    setPanel(null);
  };

  const reload = useCallback(async () => {
    try {
      setRows(await listAll(spec.collection));
      setLoadError('');
    } catch (e) {
      setLoadError(messageOf(e));
    }
  }, [spec.collection]);
  // Another root's change (or a machine taking a pool address) shows without a reload.
  const live = useReloadOnChange(spec.streams[0] ?? null, reload);
  useReloadOnChange(spec.streams[1] ?? null, reload);
  useEffect(() => {
    setRows(null);
    setAdding(false);
    setPanel(null);
    setStatus('');
    void reload();
  }, [reload]);

  const add = async (fields: Fields) => {
    const created = await api<Row>('POST', base, createBody(spec, fields));
    // The table shows the new row before the form closes: no flash of the old list.
    await reload();
    closeAdd();
    setStatus(`${spec.singular} ${created.name} added`);
  };
  const edit = (record: Row) => async (fields: Fields) => {
    const body = patchBody(spec, record, fields);
    if (Object.keys(body).length)
      await api<Row>('PATCH', `${base}/${encodeURIComponent(record.name)}`, body);
    await reload();
    closeEdit(record.name);
    setStatus(`${spec.singular} ${record.name} saved`);
  };
  const columns = spec.fields.length + (spec.extra?.length ?? 0) + 1;
  const current = rows?.find((r) => r.name === panel?.name);

  return (
    <section aria-labelledby="catalog-title" className="catalog">
      <div className="title-row">
        <h1 id="catalog-title">{spec.title}</h1>
        <StreamStateBadge state={live} />
        <span className="count">{rows ? `${rows.length} in all` : ''}</span>
        <button
          type="button"
          className="primary"
          ref={addButton}
          onClick={() => setAdding(true)}
          disabled={adding}
        >
          Add {spec.singular}
        </button>
      </div>
      <p className="status" role="status">
        {status}
      </p>
      {loadError && (
        <p className="error" role="alert">
          {loadError}
        </p>
      )}
      {adding && (
        <RecordForm spec={spec} title={`Add ${spec.singular}`} save={add} onCancel={closeAdd} />
      )}
      {!rows && !loadError && <p className="loading">Loading…</p>}
      {rows && (
        <section className="table-scroll" aria-label={`${spec.title} table`}>
          <table className="data">
            <thead>
              <tr>
                {spec.fields.map((f) => (
                  <th key={f.name} scope="col">
                    {f.label}
                  </th>
                ))}
                {spec.extra?.map((x) => (
                  <th key={x.label} scope="col">
                    {x.label}
                  </th>
                ))}
                <th scope="col" className="row-actions">
                  Actions
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={columns} className="muted">
                    No {spec.singular} yet.
                  </td>
                </tr>
              )}
              {rows.map((r) => (
                <Fragment key={r.name}>
                  {panel?.kind === 'edit' && panel.name === r.name ? (
                    <tr className="panel-row">
                      <td colSpan={columns}>
                        <RecordForm
                          spec={spec}
                          title={`Edit ${r.name}`}
                          record={r}
                          save={edit(r)}
                          onCancel={() => closeEdit(r.name)}
                        />
                      </td>
                    </tr>
                  ) : (
                    <CatalogRow
                      spec={spec}
                      row={r}
                      onPanel={(kind) => setPanel({ kind, name: r.name })}
                    />
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {panel?.kind === 'delete' && current && (
        <DeleteRecord
          spec={spec}
          row={current}
          onClose={() => setPanel(null)}
          onDeleted={async () => {
            setPanel(null);
            setStatus(`${spec.singular} ${current.name} deleted`);
            await reload();
          }}
        />
      )}
      {panel?.kind === 'expected' && current && (
        <ExpectedDialog room={current.name} onClose={() => setPanel(null)} />
      )}
    </section>
  );
}

function CatalogRow(props: {
  spec: CatalogSpec;
  row: Row;
  onPanel: (kind: 'edit' | 'delete' | 'expected') => void;
}) {
  const { spec, row } = props;
  return (
    <tr>
      {spec.fields.map((f) => {
        const value = row[f.name];
        const text = Array.isArray(value)
          ? value.join(' ')
          : value === null || value === undefined
            ? ''
            : String(value);
        return (
          <td
            key={f.name}
            className={f.kind.endsWith('number') ? 'num' : f.name === 'description' ? '' : 'mono'}
          >
            {text || <span className="muted">—</span>}
          </td>
        );
      })}
      {spec.extra?.map((x) => (
        <td key={x.label}>{x.show(row)}</td>
      ))}
      <td className="row-actions">
        <button
          type="button"
          className="small"
          aria-label={`Edit ${row.name}`}
          data-edit={row.name}
          onClick={() => props.onPanel('edit')}
        >
          Edit
        </button>
        {spec.collection === 'rooms' && (
          <button
            type="button"
            className="small"
            aria-label={`Expected hostnames of ${row.name}`}
            onClick={() => props.onPanel('expected')}
          >
            Expected
          </button>
        )}
        <button
          type="button"
          className="small danger"
          aria-label={`Delete ${row.name}`}
          onClick={() => props.onPanel('delete')}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

function DeleteRecord(props: {
  spec: CatalogSpec;
  row: Row;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const { spec, row } = props;
  async function confirm() {
    setBusy(true);
    setError('');
    try {
      await api('DELETE', `/${spec.collection}/${encodeURIComponent(row.name)}`);
      props.onDeleted();
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  }
  return (
    <Dialog title={`Delete ${spec.singular} ${row.name}?`} onClose={props.onClose} busy={busy}>
      <p>{spec.deleteNote}</p>
      <ConfirmActions
        error={error}
        busy={busy}
        label={`Delete ${row.name}`}
        busyLabel="Deleting…"
        onConfirm={confirm}
        onCancel={props.onClose}
      />
    </Dialog>
  );
}
