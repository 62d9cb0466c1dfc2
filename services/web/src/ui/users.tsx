import type { Page, User } from '@lanctl/model';
import { useEffect, useState } from 'react';
import { api, type Session } from './api.ts';

/** Users (organizers and roots): the list for now; editing, import and sheets come next. */
export function UsersView({ session }: { session: Session }) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<Page<User>>('GET', '/users?limit=5000')
      .then((page) => setUsers(page.items))
      .catch((e: Error) => setError(e.message));
  }, []);
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {users === null && !error && <p aria-live="polite">Loading users…</p>}
      {users && (
        <>
          <p className="muted" aria-live="polite">
            {users.length} {users.length === 1 ? 'user' : 'users'} · you are {session.subject}
          </p>
          <div className="table-scroll">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Login</th>
                  <th scope="col">First name</th>
                  <th scope="col">Last name</th>
                  <th scope="col">Group</th>
                  <th scope="col">UID</th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.login}>
                    <td className="mono">{u.login}</td>
                    <td>{u.firstname}</td>
                    <td>{u.lastname}</td>
                    <td>{u.group}</td>
                    <td className="num">{u.uid}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
