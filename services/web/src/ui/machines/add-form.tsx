import type { Machine } from '@lanctl/model';
import { useEffect, useId, useState } from 'react';
import { createMachine } from '../api.ts';
import { TextField } from '../form.tsx';
import { useApiForm } from '../use-api-form.ts';

const FIELDS = ['hostname', 'mac', 'ip', 'room', 'mtype'] as const;
type Fields = Record<(typeof FIELDS)[number], string>;

const EMPTY: Fields = { hostname: '', mac: '', ip: '', room: '', mtype: 'user' };

const LABELS: Fields = {
  hostname: 'Hostname',
  mac: 'MAC address',
  ip: 'IP address',
  room: 'Room',
  mtype: 'Type',
};

/** What the API gets: trimmed, and empty optional fields left to the API's defaults. */
function machineBody(fields: Fields): Record<string, string> {
  const body: Record<string, string> = {};
  for (const name of FIELDS) {
    const value = fields[name].trim();
    if (value || name === 'hostname' || name === 'mac') body[name] = value;
  }
  return body;
}

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
  const { errors, general, busy, onKeyDown, submit } = useApiForm({
    id,
    fields: FIELDS,
    onCancel: props.onCancel,
  });
  // Opened from the keyboard, typing starts in the first field; Escape closes the form.
  useEffect(() => document.getElementById(`${id}-hostname`)?.focus(), [id]);
  const add = submit(async () => {
    const machine = await createMachine(machineBody(fields));
    setFields(EMPTY);
    props.onAdded(machine);
  });

  const field = (name: keyof Fields, extra: { list?: string; hint?: string } = {}) => (
    <TextField
      form={id}
      name={name}
      label={LABELS[name]}
      value={fields[name]}
      error={errors[name]}
      required={name === 'hostname' || name === 'mac'}
      onChange={(value) => setFields((f) => ({ ...f, [name]: value }))}
      {...extra}
    />
  );
  return (
    <form
      className="card add-form"
      onSubmit={add}
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
        {field('hostname')}
        {field('mac')}
        {field('ip', { hint: 'Leave empty to take the next free address of the type’s pool.' })}
        {field('room', { list: `${id}-rooms` })}
        {field('mtype', { list: `${id}-mtypes` })}
      </div>
      <Suggestions id={`${id}-rooms`} values={props.rooms} />
      <Suggestions id={`${id}-mtypes`} values={props.mtypes} />
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

function Suggestions({ id, values }: { id: string; values: string[] }) {
  return (
    <datalist id={id}>
      {values.map((v) => (
        <option key={v} value={v} />
      ))}
    </datalist>
  );
}
