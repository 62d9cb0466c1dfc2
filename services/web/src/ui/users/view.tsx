import type { Session } from '../api.ts';
import { ListState } from '../list-state.tsx';
import { StreamStateBadge } from '../streams/stream-state.tsx';
import type { StreamState } from '../streams/use-table-stream.ts';
import { UserGrid } from './grid.tsx';
import { ImportWizard } from './import-wizard.tsx';
import { PanelDialogs } from './panel-dialogs.tsx';
import { PasswordSheets } from './sheets.tsx';
import { Toolbar } from './toolbar.tsx';
import { type Panel, useUsersView } from './use-users-view.ts';
import { UserForm } from './user-form.tsx';
import './users.css';

/**
 * Users (organizers and roots): every account, followed live from udb's stream, searched,
 * filtered and sorted in the page; add, edit, delete, reset a password, import a file, print
 * password sheets. The API decides what an organizer may touch: its refusals are shown as they
 * come.
 */
export function UsersView({ session }: { session: Session }) {
  const v = useUsersView();
  const { panel, close, table: t } = v;
  if (panel.kind === 'sheets') return <PasswordSheets entries={panel.entries} onClose={close} />;
  return (
    <section aria-labelledby="users-title" className="users">
      <TitleRow state={t.state} panel={panel} open={v.open} subject={session.subject} />
      {panel.kind === 'import' && (
        <ImportWizard onPrint={v.print} onClose={close} onImported={v.table.refreshIfNotLive} />
      )}
      {(panel.kind === 'add' || panel.kind === 'edit') && (
        <UserForm
          key={panel.kind === 'edit' ? panel.user.login : ''}
          user={panel.kind === 'edit' ? panel.user : undefined}
          onCancel={close}
          onSaved={v.onSaved}
        />
      )}
      <p className="status" role="status">
        {v.announce}
      </p>
      <Toolbar
        filter={t.filter}
        onChange={t.changeFilter}
        count={t.users === null ? '' : `${t.rows.length} of ${t.users.length} users`}
        selected={t.chosen.length}
        onSheets={() => v.open({ kind: 'selection', users: t.chosen })}
        onClearSelection={t.clearSelection}
      />
      <ListState error={t.error} data={t.users} loading={<p>Loading users…</p>}>
        {() => (
          <UserGrid
            rows={t.rows}
            sort={t.sort}
            onSort={t.setSort}
            selected={t.selected}
            onSelect={t.select}
            onAction={v.onAction}
          />
        )}
      </ListState>
      <PanelDialogs panel={panel} onClose={close} onPrint={v.print} onDeleted={v.onDeleted} />
    </section>
  );
}

/** The title, the stream's state, the add and import buttons, and who is signed in. */
function TitleRow(props: {
  state: StreamState;
  panel: Panel;
  open: (next: Panel) => void;
  subject: string;
}) {
  const { panel, open } = props;
  return (
    <div className="title-row">
      <h1 id="users-title">Users</h1>
      <StreamStateBadge state={props.state} />
      <button
        type="button"
        className="primary"
        onClick={() => open({ kind: 'add' })}
        disabled={panel.kind === 'add'}
      >
        Add user
      </button>
      <button
        type="button"
        onClick={() => open({ kind: 'import' })}
        disabled={panel.kind === 'import'}
      >
        Import users
      </button>
      <span className="muted who-note">you are {props.subject}</span>
    </div>
  );
}
