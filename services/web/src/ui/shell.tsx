import { type ReactNode, useEffect, useRef } from 'react';
import { logout, type Session } from './api.ts';
import { viewOf, viewsFor } from './nav.ts';
import { navigate, onLinkClick } from './router.ts';

/** The frame of every page: skip link, role-aware navigation, who is logged in, logout. */
export function Shell(props: {
  session: Session;
  path: string;
  onLoggedOut: () => void;
  children: ReactNode;
}) {
  const current = viewOf(props.path);
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
            {viewsFor(props.session.role).map((v) => (
              <li key={v.path}>
                <a
                  href={v.path}
                  onClick={onLinkClick}
                  aria-current={current?.path === v.path ? 'page' : undefined}
                >
                  {v.label}
                </a>
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
        {props.children}
      </main>
    </>
  );
}
