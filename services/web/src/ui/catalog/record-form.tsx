import { useEffect, useId, useState } from 'react';
import { listNames } from '../api.ts';
import { TextField } from '../form.tsx';
import { foldListErrors } from '../form-errors.ts';
import { useApiForm } from '../use-api-form.ts';
import { type CatalogSpec, type Fields, type Row, toFields } from './spec.ts';

/**
 * Add or edit one record: every API error under its field, nothing typed lost on an error,
 * Escape cancels. `save` gets the typed text and throws the API's error.
 */
export function RecordForm(props: {
  spec: CatalogSpec;
  title: string;
  record?: Row;
  save: (fields: Fields) => Promise<void>;
  onCancel: () => void;
}) {
  const { spec } = props;
  const id = useId();
  const editable = spec.fields.filter((f) => !(props.record && f.createOnly));
  const names = editable.map((f) => f.name);
  const [fields, setFields] = useState<Fields>(() => toFields(spec, props.record));
  const lists = editable.filter((f) => f.kind === 'list').map((f) => f.name);
  const { errors, general, busy, onKeyDown, submit } = useApiForm({
    id,
    fields: names,
    onCancel: props.onCancel,
    fold: (e) => foldListErrors(e, lists, 'entry'),
  });
  const suggestions = useSuggestions(editable.flatMap((f) => (f.suggest ? [f.suggest] : [])));
  const firstName = names[0];
  useEffect(() => document.getElementById(`${id}-${firstName}`)?.focus(), [id, firstName]);
  const save = submit(() => props.save(fields));

  return (
    <form
      className="card add-form catalog-form"
      onSubmit={save}
      onKeyDown={onKeyDown}
      aria-labelledby={`${id}-title`}
      noValidate
    >
      <h2 id={`${id}-title`}>{props.title}</h2>
      {general && (
        <p className="error" role="alert">
          {general}
        </p>
      )}
      <div className="fields">
        {editable.map((f) => (
          <TextField
            key={f.name}
            form={id}
            name={f.name}
            label={f.label}
            value={fields[f.name] ?? ''}
            error={errors[f.name]}
            hint={f.hint}
            list={f.suggest && `${id}-${f.suggest}`}
            required={f.name === 'name'}
            onChange={(value) => setFields((all) => ({ ...all, [f.name]: value }))}
          />
        ))}
      </div>
      {Object.entries(suggestions).map(([collection, values]) => (
        <datalist key={collection} id={`${id}-${collection}`}>
          {values.map((v) => (
            <option key={v} value={v} />
          ))}
        </datalist>
      ))}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : props.record ? 'Save changes' : `Save ${spec.singular}`}
        </button>
        <button type="button" onClick={props.onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The names of each collection, for a field's suggestions (none if the list fails to load). */
function useSuggestions(collections: string[]): Record<string, string[]> {
  const [out, setOut] = useState<Record<string, string[]>>({});
  const key = collections.join(' ');
  useEffect(() => {
    for (const c of key.split(' ').filter(Boolean)) {
      listNames(c).then(
        (names) => setOut((all) => ({ ...all, [c]: names })),
        () => {},
      );
    }
  }, [key]);
  return out;
}
