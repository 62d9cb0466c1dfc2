import type { ExpectedHosts } from '@lanctl/model';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { Dialog } from '../users/dialogs.tsx';
import { catalogErrors } from './record-form.tsx';

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
      (e) => setText(e.hostnames.join('\n')),
      (e) => setGeneral(e instanceof ApiError ? e.message : 'the server did not answer'),
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
      const found = catalogErrors(e, ['hostnames']);
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
        <div className="field">
          <label htmlFor={`${id}-hostnames`}>Hostnames, one a line, in registration order</label>
          <textarea
            id={`${id}-hostnames`}
            name="hostnames"
            rows={10}
            className="mono"
            spellCheck={false}
            value={text ?? ''}
            disabled={text === null}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-hostnames-error` : undefined}
            onChange={(e) => setText(e.target.value)}
          />
          {error && (
            <p className="field-error" id={`${id}-hostnames-error`} data-field="hostnames">
              {error}
            </p>
          )}
        </div>
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
