/** A labelled text input with its hint and its error under it, wired for screen readers. */
export function TextField(props: {
  /** The form's id prefix (`useId()`): the input is `${form}-${name}`. */
  form: string;
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  list?: string;
  required?: boolean;
}) {
  const id = `${props.form}-${props.name}`;
  const described = [props.error && `${id}-error`, props.hint && `${id}-hint`]
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        value={props.value}
        list={props.list}
        required={props.required}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={described || undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint && (
        <p className="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p className="field-error" id={`${id}-error`} data-field={props.name}>
          {props.error}
        </p>
      )}
    </div>
  );
}
