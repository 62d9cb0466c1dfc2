import { Fragment } from 'react';
import { RecordForm } from './record-form.tsx';
import type { CatalogSpec, Fields, Row } from './spec.ts';
import type { Panel } from './use-catalog-view.ts';

type PanelKind = NonNullable<Panel>['kind'];

/** A collection's table: one row per record, the edited one replaced by its form in place. */
export function CatalogTable(props: {
  spec: CatalogSpec;
  rows: Row[];
  panel: Panel;
  onPanel: (kind: PanelKind, name: string) => void;
  edit: (record: Row) => (fields: Fields) => Promise<void>;
  closeEdit: (name: string) => void;
}) {
  const { spec, rows, panel } = props;
  const columns = spec.fields.length + (spec.extra?.length ?? 0) + 1;
  return (
    <section className="table-scroll" aria-label={`${spec.title} table`}>
      <table className="data">
        <Head spec={spec} />
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
                      save={props.edit(r)}
                      onCancel={() => props.closeEdit(r.name)}
                    />
                  </td>
                </tr>
              ) : (
                <CatalogRow spec={spec} row={r} onPanel={(kind) => props.onPanel(kind, r.name)} />
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Head({ spec }: { spec: CatalogSpec }) {
  return (
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
  );
}

function CatalogRow(props: { spec: CatalogSpec; row: Row; onPanel: (kind: PanelKind) => void }) {
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
