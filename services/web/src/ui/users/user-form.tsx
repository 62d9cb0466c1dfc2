import { GROUPS, type User } from '@lanctl/model';
import { useEffect, useId, useState } from 'react';
import { TextField } from '../form.tsx';
import { foldListErrors } from '../form-errors.ts';
import { useApiForm } from '../use-api-form.ts';
import { type CreatedUser, createUser, updateUser } from './api.ts';
import { SelectField, TextAreaField } from './fields.tsx';

const FIELDS = [
  'login',
  'firstname',
  'lastname',
  'group',
  'uid',
  'shell',
  'ssh_keys',
  'password',
] as const;
type Fields = Record<(typeof FIELDS)[number], string>;

const EMPTY: Fields = {
  login: '',
  firstname: '',
  lastname: '',
  group: 'user',
  uid: '',
  shell: '/bin/bash',
  ssh_keys: '',
  password: '',
};

const fieldsOf = (u: User): Fields => ({
  login: u.login,
  firstname: u.firstname,
  lastname: u.lastname,
  group: u.group,
  uid: String(u.uid),
  shell: u.shell,
  ssh_keys: u.ssh_keys.join('\n'),
  password: '',
});

/** A typed uid stays text if it is no number, so the API names the mistake under the field. */
const uidValue = (text: string): number | string => (/^\d+$/.test(text) ? Number(text) : text);
const keysOf = (text: string) =>
  text
    .split('\n')
    .map((k) => k.trim())
    .filter(Boolean);

/** What POST /users gets: trimmed; empty uid and password left to udb (lowest free, generated). */
function createBody(f: Fields): Record<string, unknown> {
  const body: Record<string, unknown> = {
    login: f.login.trim(),
    firstname: f.firstname.trim(),
    lastname: f.lastname.trim(),
    group: f.group,
    shell: f.shell.trim(),
    ssh_keys: keysOf(f.ssh_keys),
  };
  if (f.uid.trim()) body.uid = uidValue(f.uid.trim());
  if (f.password) body.password = f.password;
  return body;
}

/** What PATCH gets: only the fields that changed. */
function patchBody(before: User, f: Fields): Record<string, unknown> {
  const after = createBody(f);
  const old = fieldsOf(before);
  const patch: Record<string, unknown> = {};
  for (const name of ['firstname', 'lastname', 'group', 'shell'] as const) {
    if (after[name] !== old[name]) patch[name] = after[name];
  }
  if (f.uid.trim() !== old.uid) patch.uid = uidValue(f.uid.trim());
  if (keysOf(f.ssh_keys).join('\n') !== old.ssh_keys) patch.ssh_keys = keysOf(f.ssh_keys);
  return patch;
}

/**
 * Add or edit a user: every API error under its field (or above the form: a 403 for a group the
 * caller may not manage), nothing typed lost on an error.
 */
export function UserForm(props: {
  /** The user edited; none: a new one. */
  user?: User;
  onSaved: (user: CreatedUser, created: boolean) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const editing = props.user !== undefined;
  const [fields, setFields] = useState<Fields>(props.user ? fieldsOf(props.user) : EMPTY);
  const { errors, general, busy, onKeyDown, submit } = useApiForm({
    id,
    fields: FIELDS,
    onCancel: props.onCancel,
    fold: (e) => foldListErrors(e, ['ssh_keys']),
  });
  const first = editing ? 'firstname' : 'login';
  useEffect(() => document.getElementById(`${id}-${first}`)?.focus(), [id, first]);
  const save = submit(async () => {
    if (props.user) {
      const patch = patchBody(props.user, fields);
      const saved =
        Object.keys(patch).length > 0 ? await updateUser(props.user.login, patch) : props.user;
      props.onSaved(saved, false);
    } else {
      props.onSaved(await createUser(createBody(fields)), true);
    }
  });

  const common = (name: keyof Fields, label: string) => ({
    form: id,
    name,
    label,
    value: fields[name],
    error: errors[name],
    onChange: (value: string) => setFields((f) => ({ ...f, [name]: value })),
  });
  const title = editing ? `Edit ${props.user!.login}` : 'Add user';
  return (
    <form
      className="card add-form"
      onSubmit={save}
      onKeyDown={onKeyDown}
      aria-labelledby={`${id}-title`}
      noValidate
    >
      <h2 id={`${id}-title`}>{title}</h2>
      {general && (
        <p className="error" role="alert" id={`${id}-general`} tabIndex={-1}>
          {general}
        </p>
      )}
      <div className="fields">
        {!editing && <TextField {...common('login', 'Login')} required />}
        <TextField {...common('firstname', 'First name')} required />
        <TextField {...common('lastname', 'Last name')} required />
        <SelectField {...common('group', 'Group')} options={GROUPS} />
        <TextField
          {...common('uid', 'UID')}
          hint={editing ? undefined : 'Leave empty for the lowest free one of the group.'}
        />
        <TextField {...common('shell', 'Shell')} />
        {!editing && (
          <TextField
            {...common('password', 'Password')}
            hint="Leave empty to have one generated and shown once."
          />
        )}
      </div>
      <TextAreaField {...common('ssh_keys', 'SSH public keys')} hint="One key a line." />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : editing ? 'Save changes' : 'Save user'}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
