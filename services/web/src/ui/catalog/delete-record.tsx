import { useState } from 'react';
import { api, errorText } from '../api.ts';
import { ConfirmActions, Dialog } from '../users/dialogs.tsx';
import type { CatalogSpec, Row } from './spec.ts';

/** Asks before deleting a record, says what mdb refuses, and shows its refusal. */
export function DeleteRecord(props: {
  spec: CatalogSpec;
  row: Row;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const { spec, row } = props;
  async function confirm() {
    setBusy(true);
    setError('');
    try {
      await api('DELETE', `/${spec.collection}/${encodeURIComponent(row.name)}`);
      props.onDeleted();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }
  return (
    <Dialog title={`Delete ${spec.singular} ${row.name}?`} onClose={props.onClose} busy={busy}>
      <p>{spec.deleteNote}</p>
      <ConfirmActions
        error={error}
        busy={busy}
        label={`Delete ${row.name}`}
        busyLabel="Deleting…"
        onConfirm={confirm}
        onCancel={props.onClose}
      />
    </Dialog>
  );
}
