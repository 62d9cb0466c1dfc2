import type { Machine } from '@lanctl/model';
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api.ts';
import { onLinkClick } from '../router.ts';
import { useReloadOnChange } from '../streams/use-table-stream.ts';
import {
  type BootTimeline,
  bootTimeline,
  getMachine,
  listPresence,
  type PresenceSession,
} from './machine-api.ts';
import './machines.css';

/** Refreshed this often while the page is open (boot steps are not streamed). */
const REFRESH_MS = 5000;

type Loaded<T> = { value?: T; error?: string };

const failure = (e: unknown) =>
  e instanceof ApiError ? `${e.message} (HTTP ${e.status})` : 'the server did not answer';

async function settle<T>(promise: Promise<T>): Promise<Loaded<T>> {
  try {
    return { value: await promise };
  } catch (e) {
    return { error: failure(e) };
  }
}

/** `/machines/<hostname>`: its record, its last boot, who is logged in there. */
export function MachinePage({ hostname }: { hostname: string }) {
  const [machine, setMachine] = useState<Loaded<Machine>>({});
  const [boot, setBoot] = useState<Loaded<BootTimeline>>({});
  const [sessions, setSessions] = useState<Loaded<PresenceSession[]>>({});
  const load = useCallback(async () => {
    const [m, b, p] = await Promise.all([
      settle(getMachine(hostname)),
      settle(bootTimeline(hostname)),
      settle(listPresence().then((r) => r.items.filter((s) => s.hostname === hostname))),
    ]);
    setMachine(m);
    setBoot(b);
    setSessions(p);
  }, [hostname]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);
  // A login, a logout or an edit of the machine shows at once; boot steps come with the polls.
  useReloadOnChange('presence', load, 500);
  useReloadOnChange('machines', load, 500);

  return (
    <article className="machine-page" aria-labelledby="machine-title">
      <p>
        <a href="/machines" onClick={onLinkClick}>
          ← All machines
        </a>
      </p>
      <h1 id="machine-title" className="mono">
        {hostname}
      </h1>
      {machine.error && (
        <p className="error" role="alert">
          {machine.error}
        </p>
      )}
      {machine.value && <Record m={machine.value} />}
      <section aria-labelledby="presence-title">
        <h2 id="presence-title">Logged in</h2>
        <Presence loaded={sessions} />
      </section>
      <section aria-labelledby="boot-title">
        <h2 id="boot-title">Last boot</h2>
        <Boot loaded={boot} />
      </section>
    </article>
  );
}

function Record({ m }: { m: Machine }) {
  const rows: [string, string][] = [
    ['IP address', m.ip],
    ['MAC address', m.mac],
    ['Room', m.room],
    ['Type', m.mtype],
    ['Aliases', m.aliases.join(', ') || '—'],
    ['RFS / HFS', `rfs${m.rfs} / hfs${m.hfs}`],
    ['State', m.is_faulty ? `faulty: ${m.is_faulty_details || 'no reason given'}` : 'ok'],
    ['Boot profile', m.boot_profile ?? 'by type and room'],
    ['SMBIOS UUID', m.uuid ?? '—'],
    ['Updated', new Date(m.updated_at).toLocaleString()],
  ];
  return (
    <dl className="record" aria-label="Machine record">
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k}</dt>
          <dd className={k.includes('address') || k === 'SMBIOS UUID' ? 'mono' : undefined}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Presence({ loaded }: { loaded: Loaded<PresenceSession[]> }) {
  if (loaded.error) return <p className="error">{loaded.error}</p>;
  if (!loaded.value) return <p>Loading…</p>;
  if (loaded.value.length === 0) return <p data-testid="presence">Nobody is logged in.</p>;
  return (
    <p data-testid="presence">
      {loaded.value.map((s) => (
        <span key={s.login}>
          <strong className="mono">{s.login}</strong> (session refreshed until{' '}
          {new Date(s.expires_at).toLocaleTimeString()})
        </span>
      ))}
    </p>
  );
}

function Boot({ loaded }: { loaded: Loaded<BootTimeline> }) {
  if (loaded.error) return <p className="error">{loaded.error}</p>;
  if (!loaded.value) return <p>Loading…</p>;
  const { boot, sources } = loaded.value;
  const down = Object.entries(sources).filter(([, s]) => s.startsWith('unavailable'));
  const start = boot.started_at ? Date.parse(boot.started_at) : 0;
  return (
    <>
      <p className={`verdict ${boot.ok ? 'ok' : 'bad'}`}>
        {boot.verdict}
        {boot.stage && <span className="muted"> (stage {boot.stage})</span>}
      </p>
      {down.map(([name, s]) => (
        <p key={name} className="error">
          {name}: {s}; its events are missing here.
        </p>
      ))}
      {boot.events.length > 0 && (
        <div className="table-scroll">
          <table className="data" aria-label="Boot events">
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Since start</th>
                <th scope="col">Source</th>
                <th scope="col">Stage</th>
                <th scope="col">Result</th>
                <th scope="col">What happened</th>
              </tr>
            </thead>
            <tbody>
              {boot.events.map((e) => (
                <tr key={`${e.at} ${e.source} ${e.summary}`}>
                  <td className="mono">{e.at.slice(11, 23)}</td>
                  <td className="num">{((Date.parse(e.at) - start) / 1000).toFixed(1)} s</td>
                  <td>{e.source}</td>
                  <td>{e.stage}</td>
                  <td className={e.ok ? 'ev-ok' : 'ev-bad'}>{e.ok ? 'ok' : 'failed'}</td>
                  <td>{e.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
