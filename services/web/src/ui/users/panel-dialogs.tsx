import type { SheetEntry, User } from '@lanctl/model';
import { BulkResetDialog } from './bulk-reset.tsx';
import { DeleteDialog, Dialog, PasswordOnce, ResetDialog } from './dialogs.tsx';
import type { Panel } from './use-users-view.ts';

/** The modal dialog of the open panel, if it is one (delete, reset, bulk reset, created). */
export function PanelDialogs(props: {
  panel: Panel;
  onClose: () => void;
  onPrint: (entries: SheetEntry[]) => void;
  onDeleted: (user: User) => void;
}) {
  const { panel } = props;
  switch (panel.kind) {
    case 'delete':
      return <DeleteDialog user={panel.user} onDeleted={props.onDeleted} onClose={props.onClose} />;
    case 'password':
      return <ResetDialog user={panel.user} onPrint={props.onPrint} onClose={props.onClose} />;
    case 'selection':
      return (
        <BulkResetDialog users={panel.users} onPrint={props.onPrint} onClose={props.onClose} />
      );
    case 'created':
      return (
        <Dialog title={`${panel.entry.login} created`} onClose={props.onClose}>
          <PasswordOnce entry={panel.entry} />
          <div className="actions">
            <button type="button" className="primary" onClick={props.onClose}>
              Done
            </button>
            <button type="button" onClick={() => props.onPrint([panel.entry])}>
              Print a sheet
            </button>
          </div>
        </Dialog>
      );
    default:
      return null;
  }
}
