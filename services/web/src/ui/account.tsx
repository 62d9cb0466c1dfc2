import type { Session } from './api.ts';

const ABOUT: Partial<Record<Session['role'], string>> = {
  user:
    'A contestant account: it logs you in at a workstation of the contest rooms. There is nothing ' +
    'to manage here. If you lost your password, ask an organizer: they can give you a new one.',
  reader:
    'A read-only account: it may read the machine and user lists through the API (as scripts and ' +
    'the services do), and change nothing. The web UI has no view for it.',
};

/** `/account`: who is logged in, for the roles that have nothing to manage in the UI. */
export function AccountView({ session }: { session: Session }) {
  return (
    <section aria-labelledby="account-title" className="account">
      <h1 id="account-title">My account</h1>
      <dl className="record">
        <dt>Login</dt>
        <dd className="mono">{session.subject}</dd>
        <dt>Role</dt>
        <dd>{session.role}</dd>
      </dl>
      <p>{ABOUT[session.role]}</p>
    </section>
  );
}
