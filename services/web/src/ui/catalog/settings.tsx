import type { ContestModeSetting, SelfRegistrationSetting, Setting } from '@lanctl/model';
import { useCallback, useEffect, useId, useState } from 'react';
import { api, errorText } from '../api.ts';
import { StreamStateBadge } from '../streams/stream-state.tsx';
import { useReloadOnChange } from '../streams/use-table-stream.ts';
import { ConfirmActions, Dialog } from '../users/dialogs.tsx';
import { DURATIONS, formatLeft, registrationState } from './time-left.ts';
import './catalog.css';

/** mdb's switches: self-registration (for a chosen time) and contest mode. */
export function SettingsView() {
  const [settings, setSettings] = useState<Setting[] | null>(null);
  const [error, setError] = useState('');
  const reload = useCallback(async () => {
    try {
      setSettings((await api<{ items: Setting[] }>('GET', '/settings')).items);
      setError('');
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  // Another root turning contest mode or registration on shows here at once.
  const live = useReloadOnChange('settings', reload);
  const find = <K extends Setting['key']>(key: K) =>
    settings?.find((s) => s.key === key) as Extract<Setting, { key: K }> | undefined;
  const put = async (key: Setting['key'], body: unknown) => {
    await api('PUT', `/settings/${key}`, body);
    await reload();
  };
  return (
    <section aria-labelledby="settings-title" className="catalog settings">
      <div className="title-row">
        <h1 id="settings-title">Settings</h1>
        <StreamStateBadge state={live} />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!settings && !error && <p className="loading">Loading…</p>}
      {settings && (
        <>
          <SelfRegistration
            setting={find('allow_self_registration')}
            put={put}
            onExpired={reload}
          />
          <ContestMode setting={find('contest_mode')} put={put} />
        </>
      )}
    </section>
  );
}

type Put = (key: Setting['key'], body: unknown) => Promise<void>;

/** Re-renders every second, for a countdown. */
function useTick(): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, []);
}

/**
 * One setting's PUT with its busy flag and its error; `then` runs once it is saved (in the same
 * render as the end of the busy state).
 */
function useSettingRequest(put: Put, key: Setting['key']) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async (body: unknown, then?: () => void) => {
    setBusy(true);
    setError('');
    try {
      await put(key, body);
      then?.();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function ErrorAlert({ error }: { error: string }) {
  return error ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : null;
}

function SelfRegistration(props: {
  setting: SelfRegistrationSetting | undefined;
  put: Put;
  onExpired: () => void;
}) {
  const id = useId();
  // The tick re-renders every second; the time itself is read now (a tick may be a second old).
  useTick();
  const [seconds, setSeconds] = useState(3600);
  const { busy, error, run } = useSettingRequest(props.put, 'allow_self_registration');
  const state = registrationState(props.setting, Date.now());
  const wasOn = props.setting?.value === true;
  const { onExpired } = props;
  useEffect(() => {
    if (wasOn && !state.on) onExpired();
  }, [wasOn, state.on, onExpired]);
  return (
    <section className="card setting" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Self-registration</h2>
      <p>
        Lets unknown machines register themselves at their boot screen (netboot) and through LLDP.
        Leave it on only while machines are being set up.
      </p>
      <RegistrationState state={state} until={props.setting?.enabled_until} />
      <ErrorAlert error={error} />
      <div className="actions">
        <DurationSelect id={`${id}-duration`} seconds={seconds} onChange={setSeconds} />
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => run({ value: true, duration_seconds: seconds })}
        >
          {state.on ? 'Restart the time' : 'Turn on'}
        </button>
        <button type="button" disabled={busy || !state.on} onClick={() => run({ value: false })}>
          Turn off
        </button>
      </div>
    </section>
  );
}

/** Off, on for good, or on with the time left and when it ends (announced politely). */
function RegistrationState(props: {
  state: ReturnType<typeof registrationState>;
  until: string | null | undefined;
}) {
  const { state, until } = props;
  return (
    <p className="setting-state" role="status" aria-live="polite">
      {!state.on && <strong className="off">Off</strong>}
      {state.on && state.leftMs === null && <strong className="on">On, with no end set</strong>}
      {state.on && state.leftMs !== null && (
        <>
          <strong className="on">On</strong> —{' '}
          <span className="time-left">{formatLeft(state.leftMs)} left</span>{' '}
          <span className="muted">(until {until ? new Date(until).toLocaleString() : ''})</span>
        </>
      )}
    </p>
  );
}

/** "Turn on for" and its choice of durations. */
function DurationSelect(props: { id: string; seconds: number; onChange: (s: number) => void }) {
  return (
    <>
      <label htmlFor={props.id}>Turn on for</label>
      <select
        id={props.id}
        value={props.seconds}
        onChange={(e) => props.onChange(Number(e.target.value))}
      >
        {DURATIONS.map((d) => (
          <option key={d.seconds} value={d.seconds}>
            {d.label}
          </option>
        ))}
      </select>
    </>
  );
}

function ContestMode(props: { setting: ContestModeSetting | undefined; put: Put }) {
  const id = useId();
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useSettingRequest(props.put, 'contest_mode');
  const on = props.setting?.value === true;
  const turn = (value: boolean) => run({ value }, () => setConfirming(false));
  return (
    <section className="card setting" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Contest mode</h2>
      <p className="warning">
        <strong>Contestants lose the internet</strong> while it is on: the firewall stops letting
        the <span className="mono">user</span> group out. Organizers and roots keep it. It stays on
        until a root turns it off.
      </p>
      <p className="setting-state" role="status" aria-live="polite">
        {on ? (
          <strong className="on">On — contestants have no internet</strong>
        ) : (
          <strong className="off">Off</strong>
        )}
      </p>
      {!confirming && <ErrorAlert error={error} />}
      <div className="actions">
        {on ? (
          <button type="button" disabled={busy} onClick={() => turn(false)}>
            {busy ? 'Turning off…' : 'Turn contest mode off'}
          </button>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Turn contest mode on…
          </button>
        )}
      </div>
      {confirming && (
        <Dialog title="Turn contest mode on?" onClose={() => setConfirming(false)} busy={busy}>
          <p>Every contestant loses the internet at once, until contest mode is turned off.</p>
          <ConfirmActions
            error={error}
            busy={busy}
            label="Turn contest mode on"
            busyLabel="Turning on…"
            onConfirm={() => turn(true)}
            onCancel={() => setConfirming(false)}
          />
        </Dialog>
      )}
    </section>
  );
}
