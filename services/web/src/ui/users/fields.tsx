import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';

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

/**
 * The API's errors on list items (`ssh_keys.2`) under the list's field (`ssh_keys`, "line 3:
 * ..."), so `formErrors` shows them next to the textarea rather than above the form.
 */
export function foldListErrors(error: unknown, lists: readonly string[]): unknown {
  if (!(error instanceof ApiError)) return error;
  const details = error.details.map((d) => {
    const [head, index] = d.field.split('.');
    if (!head || !lists.includes(head) || index === undefined || !/^\d+$/.test(index)) return d;
    return { field: head, message: `line ${Number(index) + 1}: ${d.message}` };
  });
  return new ApiError(error.status, error.code, error.message, details);
}
