import { type ReactNode, useEffect, useRef } from 'react';
import { logout, type Session } from './api.ts';
import { type NavEntry, navFor, type View, viewOf } from './nav.ts';
import { navigate, onLinkClick } from './router.ts';

/** The frame of every page: skip link, role-aware navigation, who is logged in, logout. */
export function Shell(props: {
  session: Session;
  path: string;
  onLoggedOut: () => void;
  children: ReactNode;
}) {
  const current = viewOf(props.path);
  const entries = navFor(props.session.role);
  const group = entries.find((e) => e.views.length > 1 && current && e.views.includes(current));
  // After a client-side navigation, focus moves to the new page (as a page load would put it).
  const shown = useRef(props.path);
  useEffect(() => {
    if (shown.current === props.path) return;
    shown.current = props.path;
    document.getElementById('main')?.focus();
  }, [props.path]);
  async function doLogout() {
    try {
      await logout();
    } finally {
      navigate('/', true);
      props.onLoggedOut();
    }
  }
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">lanctl</span>
        <nav aria-label="Main">
          <ul>
            {entries.map((e) => (
              <li key={e.path}>
                <NavLink entry={e} current={current} />
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">
          {props.session.subject} <span className="role">{props.session.role}</span>
        </span>
        <button type="button" onClick={doLogout}>
          Log out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {group && <GroupTabs group={group} current={current} />}
        {props.children}
      </main>
    </>
  );
}

/** An entry of the main navigation; a group is current when one of its views is. */
function NavLink({ entry, current }: { entry: NavEntry; current: View | undefined }) {
  const here = current !== undefined && entry.views.includes(current);
  const page = here && entry.views.length === 1;
  return (
    <a
      href={entry.path}
      onClick={onLinkClick}
      aria-current={page ? 'page' : here ? 'true' : undefined}
    >
      {entry.label}
    </a>
  );
}

/** The views of a group (the catalog's tables), as tabs above the current one. */
function GroupTabs({ group, current }: { group: NavEntry; current: View | undefined }) {
  return (
    <nav aria-label={group.label} className="group-tabs">
      <ul>
        {group.views.map((v) => (
          <li key={v.path}>
            <a
              href={v.path}
              onClick={onLinkClick}
              aria-current={v === current ? 'page' : undefined}
            >
              {v.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
