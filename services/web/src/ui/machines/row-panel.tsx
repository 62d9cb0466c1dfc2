import type { Machine } from '@lanctl/model';
import {
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useId,
  useState,
} from 'react';
import { TextField } from '../form.tsx';
import { formErrors } from '../form-errors.ts';
import { type Draft, EDIT_FIELDS, EDIT_LABELS, editPatch, foldItemErrors } from './edit.ts';
import { deleteMachine, updateMachine } from './machine-api.ts';

/** What a row shows in place of its cells: the editor, the faulty form or the delete question. */
export type RowPanel =
  | { kind: 'edit'; hostname: string; draft: Draft }
  | { kind: 'faulty'; hostname: string; reason: string }
  | { kind: 'delete'; hostname: string };

export interface PanelProps {
  machine: Machine;
  panel: RowPanel;
  /** Keeps what is typed in the view, so scrolling the row away loses nothing. */
  onDraft: (panel: RowPanel) => void;
  onSaved: (before: Machine, after: Machine | null, message: string) => void;
  onClose: () => void;
  rooms: string[];
  mtypes: string[];
}

/** One save at a time; errors under their fields, the rest above the form, focus on the first. */
function useSubmit(id: string, fields: readonly string[]) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState('');
  const [busy, setBusy] = useState(false);
  async function run(action: () => Promise<void>) {
    setBusy(true);
    setErrors({});
    setGeneral('');
    try {
      await action();
    } catch (e) {
      const found = formErrors(foldItemErrors(e), fields);
      setErrors(found.byField);
      setGeneral(found.general);
      const target = found.first ? `${id}-${found.first}` : `${id}-general`;
      setTimeout(() => document.getElementById(target)?.focus());
      setBusy(false);
    }
  }
  return { errors, general, busy, run };
}

export function PanelForm(props: PanelProps) {
  if (props.panel.kind === 'edit') return <EditForm {...props} panel={props.panel} />;
  if (props.panel.kind === 'faulty') return <FaultyForm {...props} panel={props.panel} />;
  return <DeleteForm {...props} />;
}

function Frame(props: {
  id: string;
  title: string;
  general: string;
  busy: boolean;
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
  className?: string;
}) {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !props.busy) {
      event.stopPropagation();
      props.onClose();
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <form
      className={`row-panel ${props.className ?? ''}`}
      aria-labelledby={`${props.id}-title`}
      onSubmit={submit}
      onKeyDown={onKeyDown}
      noValidate
    >
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      <p className="error" role="alert" id={`${props.id}-general`} tabIndex={-1}>
        {props.general}
      </p>
      {props.children}
    </form>
  );
}

function EditForm(props: PanelProps & { panel: Extract<RowPanel, { kind: 'edit' }> }) {
  const id = useId();
  const { errors, general, busy, run } = useSubmit(id, EDIT_FIELDS);
  useEffect(() => document.getElementById(`${id}-hostname`)?.focus(), [id]);
  const { machine, panel } = props;
  const save = () =>
    run(async () => {
      const patch = editPatch(machine, panel.draft);
      if (Object.keys(patch).length === 0) return props.onClose();
      const saved = await updateMachine(machine.hostname, patch);
      props.onSaved(machine, saved, `Saved ${saved.hostname}.`);
    });
  const field = (name: keyof Draft, hint?: string, list?: string) => (
    <TextField
      form={id}
      name={name}
      label={EDIT_LABELS[name]}
      value={panel.draft[name]}
      error={errors[name]}
      hint={hint}
      list={list}
      onChange={(value) => props.onDraft({ ...panel, draft: { ...panel.draft, [name]: value } })}
    />
  );
  return (
    <Frame
      id={id}
      title={`Edit ${machine.hostname}`}
      general={general}
      busy={busy}
      onSubmit={save}
      onClose={props.onClose}
    >
      <div className="fields">
        {field('hostname')}
        {field('ip', 'Empty: the next free address of the type’s pool.')}
        {field('mac')}
        {field('room', undefined, `${id}-rooms`)}
        {field('mtype', undefined, `${id}-mtypes`)}
        {field('aliases', 'Separated by spaces or commas.')}
        {field('rfs')}
        {field('hfs')}
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
      <Actions busy={busy} label="Save changes" onClose={props.onClose} />
    </Frame>
  );
}

function FaultyForm(props: PanelProps & { panel: Extract<RowPanel, { kind: 'faulty' }> }) {
  const id = useId();
  const { errors, general, busy, run } = useSubmit(id, ['is_faulty_details']);
  useEffect(() => document.getElementById(`${id}-is_faulty_details`)?.focus(), [id]);
  const { machine, panel } = props;
  const save = () =>
    run(async () => {
      const saved = await updateMachine(machine.hostname, {
        is_faulty: true,
        is_faulty_details: panel.reason.trim(),
      });
      props.onSaved(machine, saved, `Marked ${saved.hostname} faulty.`);
    });
  return (
    <Frame
      id={id}
      title={`Mark ${machine.hostname} faulty`}
      general={general}
      busy={busy}
      onSubmit={save}
      onClose={props.onClose}
    >
      <div className="fields">
        <TextField
          form={id}
          name="is_faulty_details"
          label="Reason"
          value={panel.reason}
          error={errors.is_faulty_details}
          hint="Shown on the room map and on the machine's boot screen."
          onChange={(reason) => props.onDraft({ ...panel, reason })}
        />
      </div>
      <Actions busy={busy} label="Mark faulty" onClose={props.onClose} />
    </Frame>
  );
}

function DeleteForm(props: PanelProps) {
  const id = useId();
  const { general, busy, run } = useSubmit(id, []);
  const { machine } = props;
  useEffect(() => document.getElementById(`${id}-cancel`)?.focus(), [id]);
  const remove = () =>
    run(async () => {
      await deleteMachine(machine.hostname);
      props.onSaved(machine, null, `Deleted ${machine.hostname}.`);
    });
  return (
    <Frame
      id={id}
      title={`Delete ${machine.hostname}?`}
      general={general}
      busy={busy}
      onSubmit={remove}
      onClose={props.onClose}
      className="danger"
    >
      <p>
        {machine.hostname} ({machine.ip}, {machine.mac}) leaves the machine table: it gets no
        address and no boot script until it is added again.
      </p>
      <div className="actions">
        <button type="submit" className="danger" disabled={busy}>
          {busy ? 'Deleting…' : `Delete ${machine.hostname}`}
        </button>
        <button type="button" id={`${id}-cancel`} onClick={props.onClose}>
          Cancel
        </button>
      </div>
    </Frame>
  );
}

function Actions({ busy, label, onClose }: { busy: boolean; label: string; onClose: () => void }) {
  return (
    <div className="actions">
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Saving…' : label}
      </button>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
    </div>
  );
}
