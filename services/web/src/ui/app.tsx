import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { AccountView } from './account.tsx';
import { type Session, setUnauthorizedHandler, whoami } from './api.ts';
import { SettingsView } from './catalog/settings.tsx';
import { CATALOGS } from './catalog/spec.ts';
import { CatalogView } from './catalog/view.tsx';
import { BootBoardView } from './live/boot-board.tsx';
import { RoomMapView } from './live/room-map.tsx';
import { LoginPage, SessionEndedDialog } from './login.tsx';
import { MachinePage } from './machines/page.tsx';
import { MachinesView } from './machines/view.tsx';
import { homeFor, viewOf } from './nav.ts';
import { navigate, usePath } from './router.ts';
import { Shell } from './shell.tsx';
import { UsersView } from './users/view.tsx';

type SessionState =
  | { status: 'loading' }
  | { status: 'out' }
  /** `ended`: the API said 401 while the page was open; the page stays under a login dialog. */
  | { status: 'in'; session: Session; ended?: boolean };

export function App() {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const path = usePath();
  const refresh = useCallback(async () => {
    try {
      setState({ status: 'in', session: await whoami() });
    } catch {
      setState({ status: 'out' });
    }
  }, []);
  useEffect(() => {
    setUnauthorizedHandler(() =>
      setState((s) => (s.status === 'in' ? { ...s, ended: true } : { status: 'out' })),
    );
    void refresh();
  }, [refresh]);

  if (state.status === 'loading') return <p className="loading">Loading…</p>;
  if (state.status === 'out') return <LoginPage onLoggedIn={refresh} />;
  const { session } = state;
  const out = () => setState({ status: 'out' });
  return (
    <Shell session={session} path={path} onLoggedOut={out}>
      <Route path={path} session={session} />
      {state.ended && (
        <SessionEndedDialog subject={session.subject} onLoggedIn={refresh} onLeave={out} />
      )}
    </Shell>
  );
}

function Route({ path, session }: { path: string; session: Session }) {
  const view = viewOf(path);
  useEffect(() => {
    if (path === '/' || path === '/login') navigate(homeFor(session.role), true);
  }, [path, session.role]);
  if (path === '/' || path === '/login') return null;
  if (!view) return <Refusal title="Page not found">There is no page at {path}.</Refusal>;
  if (!view.roles.includes(session.role)) {
    return (
      <Refusal title="Not allowed">
        {view.label} is for {view.roles.join(' and ')} accounts; you are logged in as{' '}
        {session.subject} ({session.role}).
      </Refusal>
    );
  }
  if (view.path === '/machines' && path !== view.path) {
    return <MachinePage hostname={decodeURIComponent(path.slice('/machines/'.length))} />;
  }
  if (view.path === '/machines') return <MachinesView />;
  if (view.path === '/live/map') return <RoomMapView role={session.role} />;
  if (view.path === '/live/boot') return <BootBoardView role={session.role} />;
  if (view.path === '/settings') return <SettingsView />;
  if (view.path === '/account') return <AccountView session={session} />;
  const catalog = CATALOGS.find((c) => view.path === `/${c.collection}`);
  if (catalog) return <CatalogView key={catalog.collection} spec={catalog} />;
  return <UsersView session={session} />;
}

function Refusal({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="refusal" role="alert" aria-labelledby="refusal-title">
      <h1 id="refusal-title">{title}</h1>
      <p>{children}</p>
    </section>
  );
}
