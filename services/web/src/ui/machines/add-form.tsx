import type { Machine } from '@lanctl/model';
import { type FormEvent, type KeyboardEvent, useEffect, useId, useState } from 'react';
import { ApiError, createMachine } from '../api.ts';

interface Fields {
  hostname: string;
  mac: string;
  ip: string;
  room: string;
  mtype: string;
}

const EMPTY: Fields = { hostname: '', mac: '', ip: '', room: '', mtype: 'user' };

const LABELS: Record<keyof Fields, string> = {
  hostname: 'Hostname',
  mac: 'MAC address',
  ip: 'IP address',
  room: 'Room',
  mtype: 'Type',
};

const HINTS: Partial<Record<keyof Fields, string>> = {
  ip: 'Leave empty to take the next free address of the type’s pool.',
};

/**
 * "Add machine": every API validation error is shown under its field, and nothing typed is lost
 * on an error (the fields are only cleared once the machine exists).
 */
export function AddMachineForm(props: {
  rooms: string[];
  mtypes: string[];
  onAdded: (m: Machine) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState('');
  const [busy, setBusy] = useState(false);
  // Opened from the keyboard, typing starts in the first field; Escape closes the form.
  useEffect(() => document.getElementById(`${id}-hostname`)?.focus(), [id]);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !busy) props.onCancel();
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setGeneral('');
    try {
      const body: Record<string, unknown> = {
        hostname: fields.hostname.trim(),
        mac: fields.mac.trim(),
        mtype: fields.mtype.trim(),
      };
      if (fields.room.trim()) body.room = fields.room.trim();
      if (fields.ip.trim()) body.ip = fields.ip.trim();
      const machine = await createMachine(body);
      setFields(EMPTY);
      props.onAdded(machine);
    } catch (e) {
      if (!(e instanceof ApiError)) return setGeneral('the server did not answer; try again');
      const byField = e.fieldErrors();
      const known = Object.keys(byField).filter((f) => f in LABELS);
      setErrors(byField);
      // Whatever no field shows (a conflict without details, a refusal) is said above the form.
      if (known.length === 0) setGeneral(e.message);
      else document.getElementById(`${id}-${known[0]}`)?.focus();
    } finally {
      setBusy(false);
    }
  }

  const field = (name: keyof Fields, options: { list?: string; required?: boolean } = {}) => {
    const error = errors[name];
    const hint = HINTS[name];
    const described = [error && `${id}-${name}-error`, hint && `${id}-${name}-hint`]
      .filter(Boolean)
      .join(' ');
    return (
      <div className="field" key={name}>
        <label htmlFor={`${id}-${name}`}>{LABELS[name]}</label>
        <input
          id={`${id}-${name}`}
          name={name}
          value={fields[name]}
          list={options.list}
          required={options.required}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={described || undefined}
          onChange={(e) => setFields({ ...fields, [name]: e.target.value })}
        />
        {hint && (
          <p className="hint" id={`${id}-${name}-hint`}>
            {hint}
          </p>
        )}
        {error && (
          <p className="field-error" id={`${id}-${name}-error`} data-field={name}>
            {error}
          </p>
        )}
      </div>
    );
  };

  return (
    <form
      className="card add-form"
      onSubmit={submit}
      onKeyDown={onKeyDown}
      aria-labelledby={`${id}-title`}
      noValidate
    >
      <h2 id={`${id}-title`}>Add machine</h2>
      {general && (
        <p className="error" role="alert">
          {general}
        </p>
      )}
      <div className="fields">
        {field('hostname', { required: true })}
        {field('mac', { required: true })}
        {field('ip')}
        {field('room', { list: `${id}-rooms` })}
        {field('mtype', { list: `${id}-mtypes`, required: true })}
      </div>
      <datalist id={`${id}-rooms`}>
        {props.rooms.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>
      <datalist id={`${id}-mtypes`}>
        {props.mtypes.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save machine'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
