import type { SheetEntry, User } from '@lanctl/model';
import { useState } from 'react';
import { ApiError } from '../api.ts';
import { resetPassword } from './api.ts';
import { ConfirmActions, Dialog } from './dialogs.tsx';

/** Resets at most this many passwords at once (each costs udb one hash). */
const PARALLEL = 4;

/**
 * "Print sheets" for a selection: passwords are never kept, so a sheet for existing users means
 * resetting theirs. Asks first; a refused reset (an organizer and a root) is listed, not fatal.
 */
export function BulkResetDialog(props: {
  users: readonly User[];
  onPrint: (entries: SheetEntry[]) => void;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(0);
  const [failures, setFailures] = useState<string[]>([]);
  const [entries, setEntries] = useState<SheetEntry[] | null>(null);
  const count = props.users.length;

  async function run() {
    setBusy(true);
    const made: SheetEntry[] = [];
    const failed: string[] = [];
    const queue = [...props.users];
    const worker = async () => {
      for (let u = queue.shift(); u; u = queue.shift()) {
        try {
          const password = await resetPassword(u.login);
          made.push({ login: u.login, firstname: u.firstname, lastname: u.lastname, password });
        } catch (e) {
          failed.push(`${u.login}: ${e instanceof ApiError ? e.message : String(e)}`);
        }
        setDone((n) => n + 1);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, count) }, worker));
    const order = new Map(props.users.map((u, i) => [u.login, i]));
    made.sort((a, b) => order.get(a.login)! - order.get(b.login)!);
    setBusy(false);
    if (failed.length === 0) props.onPrint(made);
    else {
      setFailures(failed);
      setEntries(made);
    }
  }

  const names = props.users.slice(0, 8).map((u) => u.login);
  return (
    <Dialog
      title={`Print sheets for ${count} user${count === 1 ? '' : 's'}`}
      onClose={props.onClose}
      busy={busy}
    >
      {entries ? (
        <>
          <p className="error" role="alert">
            {failures.length} reset{failures.length === 1 ? '' : 's'} refused:
          </p>
          <ul className="failures">
            {failures.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={entries.length === 0}
              onClick={() => props.onPrint(entries)}
            >
              Print the {entries.length} new password{entries.length === 1 ? '' : 's'}
            </button>
            <button type="button" onClick={props.onClose}>
              Close
            </button>
          </div>
        </>
      ) : (
        <>
          <p>
            Passwords are kept nowhere, so printing a sheet gives these users a new password: their
            current ones stop working. ({names.join(', ')}
            {count > names.length ? ', …' : ''})
          </p>
          {busy && (
            <p role="status">
              Reset {done} of {count}…
            </p>
          )}
          <ConfirmActions
            busy={busy}
            label={`Reset ${count} password${count === 1 ? '' : 's'} and print`}
            busyLabel="Resetting…"
            onConfirm={run}
            onCancel={props.onClose}
          />
        </>
      )}
    </Dialog>
  );
}
