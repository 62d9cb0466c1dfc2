import type { ImportResult } from '@lanctl/model';
import { Secret } from './secret.tsx';

const STATUS_CLASS: Record<string, string> = {
  error: 'state-faulty',
  created: 'state-ok',
  would_create: 'state-ok',
};

/**
 * One line per row of the file: the names, the login derived from them, what happens to the row,
 * why, its new password.
 */
export function ImportResults(props: { results: readonly ImportResult[]; caption: string }) {
  const withPasswords = props.results.some((r) => r.password !== undefined);
  return (
    <section className="table-scroll import-results" aria-label={props.caption}>
      <table className="data">
        <thead>
          <tr>
            <th scope="col" className="num">
              Row
            </th>
            <th scope="col">Name</th>
            <th scope="col">Login</th>
            <th scope="col">Status</th>
            <th scope="col">Reason</th>
            {withPasswords && <th scope="col">Password</th>}
          </tr>
        </thead>
        <tbody>
          {props.results.map((r) => (
            <tr key={`${r.row}-${r.login ?? ''}`} data-status={r.status}>
              <td className="num">{r.row || 'file'}</td>
              <td>{r.firstname === undefined ? '—' : `${r.firstname} ${r.lastname}`}</td>
              <td className="mono">{r.login ?? '—'}</td>
              <td className={`state ${STATUS_CLASS[r.status] ?? ''}`}>
                {r.status.replace('_', ' ')}
              </td>
              <td className="import-reason">{r.reason ?? ''}</td>
              {withPasswords && (
                <td className="mono">{r.password ? <Secret value={r.password} /> : ''}</td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
