import type { Role } from '@lanctl/model';
import { useEffect, useRef, useState } from 'react';
import { api, errorText, listNames } from '../api.ts';
import { onLinkClick } from '../router.ts';
import { useReloadOnChange } from '../streams/use-table-stream.ts';
import {
  ago,
  type BootStatus,
  countOutcomes,
  outcomeOf,
  STAGES,
  stageStep,
} from './boot-status.ts';
import './live.css';

/** The board asks again this often (and on the Refresh button). */
const REFRESH_MS = 5000;

/** Live → Boot board: every machine of a room, how far its last boot got and the verdict. */
export function BootBoardView({ role }: { role: Role }) {
  const [rooms, setRooms] = useState<string[]>([]);
  const [room, setRoom] = useState('');
  useEffect(() => {
    listNames('rooms')
      .then(setRooms)
      .catch(() => {});
  }, []);
  const { status, error, now, refresh } = useBootStatus(room);
  // A machine registered (or renamed, moved) shows within 2 s; boot steps come with the polls.
  // Not sooner: each status asks dhcp and tftp about every machine of the room.
  useReloadOnChange('machines', refresh, 2000);
  const counts = status ? countOutcomes(status.machines, now) : null;
  const down = status
    ? Object.entries(status.sources).filter(([, s]) => s.startsWith('unavailable'))
    : [];
  return (
    <section aria-labelledby="boot-board-title" className="boot-board">
      <div className="title-row">
        <h1 id="boot-board-title">Boot board</h1>
        <label className="inline">
          Room{' '}
          <select value={room} onChange={(e) => setRoom(e.target.value)}>
            <option value="">all rooms</option>
            {rooms.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={refresh}>
          Refresh
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error} (showing the last answer)
        </p>
      )}
      {down.map(([name, s]) => (
        <p key={name} className="error">
          {name}: {s}; its steps are missing from the board.
        </p>
      ))}
      {counts && (
        <p className="muted" aria-live="polite">
          {counts.booted} booted · {counts.booting} booting · {counts.stuck} stuck · {counts.unseen}{' '}
          not seen · boot steps refreshed every {REFRESH_MS / 1000} s, new machines within 2 s
        </p>
      )}
      {!status && !error && <p>Loading boots…</p>}
      {status && status.machines.length === 0 && <p>No machine in this room.</p>}
      {status && status.machines.length > 0 && (
        <BootTable status={status} now={now} linked={role === 'root'} />
      )}
    </section>
  );
}

/** `/boot/status?room=` now, then every REFRESH_MS (one request at a time), and on demand. */
function useBootStatus(room: string) {
  const [status, setStatus] = useState<BootStatus | null>(null);
  const [error, setError] = useState('');
  const [now, setNow] = useState(Date.now());
  const refresh = useRef<() => void>(() => {});
  useEffect(() => {
    let stop = false;
    let busy = false;
    const load = async () => {
      if (busy) return;
      busy = true;
      try {
        const query = room ? `?room=${encodeURIComponent(room)}` : '';
        const answer = await api<BootStatus>('GET', `/boot/status${query}`);
        if (!stop) {
          setStatus(answer);
          setError('');
          setNow(Date.now());
        }
      } catch (e) {
        if (!stop) setError(errorText(e));
      } finally {
        busy = false;
      }
    };
    refresh.current = () => void load();
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [room]);
  return { status, error, now, refresh: () => refresh.current() };
}

/** `linked`: hostnames open the machine page (roots only: it is the machines view's). */
function BootTable(props: { status: BootStatus; now: number; linked: boolean }) {
  const { status, now } = props;
  return (
    <div className="table-scroll">
      <table className="data" aria-label="Boots">
        <thead>
          <tr>
            <th scope="col">Hostname</th>
            <th scope="col">IP</th>
            <th scope="col">Progress</th>
            <th scope="col">Last step</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {status.machines.map((m) => {
            const outcome = outcomeOf(m, now);
            return (
              <tr key={m.hostname} className={`boot-${outcome}`} data-host={m.hostname}>
                <td className="mono">
                  {props.linked ? (
                    <a href={`/machines/${m.hostname}`} onClick={onLinkClick}>
                      {m.hostname}
                    </a>
                  ) : (
                    m.hostname
                  )}
                </td>
                <td className="mono">{m.ip}</td>
                <td>
                  <progress
                    max={STAGES.length}
                    value={stageStep(m.stage)}
                    aria-label={`${m.hostname}: stage ${m.stage ?? 'none'}`}
                  />{' '}
                  {m.stage ?? '—'}
                </td>
                <td>{ago(m.last_at, now)}</td>
                <td className={`outcome outcome-${outcome}`}>{m.verdict}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
