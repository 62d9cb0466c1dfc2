import type { ReactNode } from 'react';

/** The ids and ARIA wiring of a field with a hint and an error under it (as `TextField`). */
function described(id: string, error?: string, hint?: string) {
  const ids = [error && `${id}-error`, hint && `${id}-hint`].filter(Boolean).join(' ');
  return {
    'aria-invalid': error ? true : undefined,
    'aria-describedby': ids || undefined,
  } as const;
}

function FieldFrame(props: {
  id: string;
  name: string;
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <p className="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p className="field-error" id={`${props.id}-error`} data-field={props.name}>
          {props.error}
        </p>
      )}
    </div>
  );
}

interface FieldProps {
  form: string;
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
}

/** A labelled `<select>` with its hint and error under it. */
export function SelectField(props: FieldProps & { options: readonly string[] }) {
  const id = `${props.form}-${props.name}`;
  return (
    <FieldFrame {...props} id={id}>
      <select
        id={id}
        name={props.name}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        {...described(id, props.error, props.hint)}
      >
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** A labelled `<textarea>` with its hint and error under it. */
export function TextAreaField(props: FieldProps & { rows?: number }) {
  const id = `${props.form}-${props.name}`;
  return (
    <FieldFrame {...props} id={id}>
      <textarea
        id={id}
        name={props.name}
        value={props.value}
        rows={props.rows ?? 3}
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
        {...described(id, props.error, props.hint)}
      />
    </FieldFrame>
  );
}
