import { type ReactNode, useState } from 'react';

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
 * A file picker whose content lands in a text area, where it can be read and edited before it is
 * sent (the users' and the machines' import wizards). `onText` gets the file's name when the text
 * came from a file.
 */
export function FileOrPasteField(props: {
  form: string;
  fileLabel: string;
  accept: string;
  rows: number;
  value: string;
  error?: string;
  hint?: string;
  onText: (text: string, fileName?: string) => void;
}) {
  const [fileNote, setFileNote] = useState('');
  async function pick(file: File | undefined) {
    if (!file) return;
    props.onText(await file.text(), file.name);
    setFileNote(`Read ${file.name} (${file.size} bytes); it is shown below and may be edited.`);
  }
  return (
    <>
      <div className="field">
        <label htmlFor={`${props.form}-file`}>{props.fileLabel}</label>
        <input
          id={`${props.form}-file`}
          type="file"
          accept={props.accept}
          onChange={(e) => void pick(e.target.files?.[0])}
        />
        <p className="hint" role="status">
          {fileNote}
        </p>
      </div>
      <TextAreaField
        form={props.form}
        name="data"
        label="…or paste it here"
        rows={props.rows}
        value={props.value}
        error={props.error}
        hint={props.hint}
        onChange={(text) => props.onText(text)}
      />
    </>
  );
}
