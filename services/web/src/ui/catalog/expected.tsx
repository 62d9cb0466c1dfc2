import type { ExpectedHosts } from '@lanctl/model';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { api, errorText } from '../api.ts';
import { foldListErrors, formErrors } from '../form-errors.ts';
import { Dialog } from '../users/dialogs.tsx';
import { TextAreaField } from '../users/fields.tsx';

/** A room's expect list: the hostnames registration hands out next, in order, one a line. */
export function ExpectedDialog(props: { room: string; onClose: () => void }) {
  const id = useId();
  const path = `/rooms/${encodeURIComponent(props.room)}/expected`;
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [general, setGeneral] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<ExpectedHosts>('GET', path).then(
      (e) => setText((typed) => typed ?? e.hostnames.join('\n')),
      (e) => setGeneral(errorText(e)),
    );
  }, [path]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError('');
    setGeneral('');
    try {
      const hostnames = (text ?? '').split(/\s+/).filter(Boolean);
      await api<ExpectedHosts>('PUT', path, { hostnames });
      props.onClose();
    } catch (e) {
      const found = formErrors(foldListErrors(e, ['hostnames']), ['hostnames']);
      setError(found.byField.hostnames ?? '');
      setGeneral(found.general);
      setBusy(false);
    }
  }
  return (
    <Dialog title={`Expected hostnames in ${props.room}`} onClose={props.onClose} busy={busy}>
      <form onSubmit={submit} noValidate>
        {general && (
          <p className="error" role="alert">
            {general}
          </p>
        )}
        <TextAreaField
          form={id}
          name="hostnames"
          label="Hostnames, one a line, in registration order"
          rows={10}
          value={text ?? ''}
          error={error}
          hint={text === null ? 'Loading…' : 'Registration hands them out from the top.'}
          onChange={setText}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || text === null}>
            {busy ? 'Saving…' : 'Save list'}
          </button>
          <button type="button" onClick={props.onClose} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
