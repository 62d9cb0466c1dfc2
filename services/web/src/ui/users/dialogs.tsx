import type { SheetEntry, User } from '@lanctl/model';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { errorText } from '../api.ts';
import { deleteUser, resetPassword } from './api.ts';
import { Secret, useWarnBeforeUnload } from './secret.tsx';

/**
 * A modal `<dialog>`, open while it is mounted: focus trapped inside, Escape cancels, focus
 * returns to where it was. Chromium closes a modal dialog on a third Escape even when `cancel`
 * is prevented: a dialog that must stay (busy, or `mustAnswer`) is opened again.
 */
export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Escape and the backdrop do nothing while this is true (a request in flight). */
  busy?: boolean;
  /** Escape does nothing: the dialog stays until one of its own buttons is used. */
  mustAnswer?: boolean;
}) {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const stays = useRef(false);
  stays.current = Boolean(props.busy || props.mustAnswer);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const dialog = ref.current!;
    const before = document.activeElement as HTMLElement | null;
    // The browser closed it by itself: open it again if it must stay, else it was a cancel. The
    // event comes a task later: a dialog open again by then (StrictMode's second mount) is fine.
    const closed = () => {
      if (dialog.open) return;
      if (stays.current) dialog.showModal();
      else onClose.current();
    };
    dialog.addEventListener('close', closed);
    dialog.showModal();
    return () => {
      // Detached first: closing it here is the page's doing, not the browser's.
      dialog.removeEventListener('close', closed);
      dialog.close();
      before?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="card dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        if (!stays.current) props.onClose();
      }}
    >
      <h2 id={`${id}-title`}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

/** Asks before deleting; shows the API's refusal (an organizer and a root account: 403). */
export function DeleteDialog(props: {
  user: User;
  onDeleted: (user: User) => void;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  async function confirm() {
    setBusy(true);
    setError('');
    try {
      await deleteUser(props.user.login);
      props.onDeleted(props.user);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }
  const { user } = props;
  return (
    <Dialog title={`Delete ${user.login}?`} onClose={props.onClose} busy={busy}>
      <p>
        {user.firstname} {user.lastname} ({user.group}, uid {user.uid}) loses this account for good:
        the login stops working and cannot be undone.
      </p>
      <ConfirmActions
        error={error}
        busy={busy}
        label={`Delete ${user.login}`}
        busyLabel="Deleting…"
        onConfirm={confirm}
        onCancel={props.onClose}
      />
    </Dialog>
  );
}

/** The refusal, if any, then the dangerous button and Cancel (both off while it runs). */
export function ConfirmActions(props: {
  error?: string;
  busy: boolean;
  label: string;
  busyLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <>
      {props.error && (
        <p className="error" role="alert">
          {props.error}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          className="confirm-danger"
          onClick={props.onConfirm}
          disabled={props.busy}
        >
          {props.busy ? props.busyLabel : props.label}
        </button>
        <button type="button" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </button>
      </div>
    </>
  );
}

/** A new password, shown this once, with the warning that nothing keeps it. */
export function PasswordOnce(props: { entry: SheetEntry }) {
  useWarnBeforeUnload();
  return (
    <div className="password-once" role="status">
      <p>
        New password of <strong className="mono">{props.entry.login}</strong>:{' '}
        <output className="mono" data-login={props.entry.login}>
          <Secret value={props.entry.password} />
        </output>
      </p>
      <p className="notice">
        It is shown this once and is <strong>not stored</strong> anywhere (udb keeps only its hash):
        hand it out or print it now. Once this is closed, the only way to get one is another reset.
      </p>
    </div>
  );
}

/** Asks before resetting, then shows the new password once; may send it to a sheet. */
export function ResetDialog(props: {
  user: User;
  onClose: () => void;
  onPrint: (entries: SheetEntry[]) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [entry, setEntry] = useState<SheetEntry | null>(null);
  const { user } = props;
  async function confirm() {
    setBusy(true);
    setError('');
    try {
      const password = await resetPassword(user.login);
      setEntry({ login: user.login, firstname: user.firstname, lastname: user.lastname, password });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={`Reset the password of ${user.login}`} onClose={props.onClose} busy={busy}>
      {entry ? (
        <>
          <PasswordOnce entry={entry} />
          <div className="actions">
            <button type="button" className="primary" onClick={props.onClose}>
              Done
            </button>
            <button type="button" onClick={() => props.onPrint([entry])}>
              Print a sheet
            </button>
          </div>
        </>
      ) : (
        <>
          <p>
            udb makes a new password for {user.firstname} {user.lastname}; the current one stops
            working at once.
          </p>
          <ConfirmActions
            error={error}
            busy={busy}
            label="Reset password"
            busyLabel="Resetting…"
            onConfirm={confirm}
            onCancel={props.onClose}
          />
        </>
      )}
    </Dialog>
  );
}
