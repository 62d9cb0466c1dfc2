import type { Machine, SelfRegistrationSetting } from '@lanctl/model';
import type { Planned } from './scripts/menu.ts';

/** What registration needs of mdb's API (narrow, so tests can stand in for mdb). */
export interface Registrar {
  /** Whether self-registration is on now; `reason` in plain words when it is not. */
  state(): Promise<{ open: boolean; reason: string | null }>;
  suggestion(room: string): Promise<Suggestion>;
  /** Every room's next planned machine (rooms whose "expect" list is not empty). */
  planned(rooms: readonly string[]): Promise<Planned[]>;
  register(input: RegistrationInput): Promise<RegistrationResult>;
}

export interface Suggestion {
  hostname: string | null;
  source: 'expected' | 'pattern' | null;
  rfs: number;
  hfs: number;
}

export interface RegistrationInput {
  mac: string;
  hostname: string;
  room: string;
  mtype: string;
  rfs: number;
  hfs: number;
}

export type RegistrationOutcome = 'registered' | 'closed' | 'duplicate' | 'invalid' | 'failed';

export type RegistrationResult =
  | { outcome: 'registered'; machine: Machine }
  | { outcome: Exclude<RegistrationOutcome, 'registered'>; message: string };

const TIMEOUT_MS = 5000;

/**
 * The menu's reads (is registration open, the rooms' next planned machines) shared for `ttlMs`:
 * anyone can ask for the menu, and a room booting at once asks 300 times.
 */
export function cachedReads(registrar: Registrar, ttlMs: number, now: () => number): Registrar {
  let state: { at: number; value: ReturnType<Registrar['state']> } | null = null;
  let planned: { at: number; key: string; value: ReturnType<Registrar['planned']> } | null = null;
  return {
    ...registrar,
    state() {
      if (!state || now() - state.at >= ttlMs) state = { at: now(), value: registrar.state() };
      return state.value;
    },
    planned(rooms) {
      const key = rooms.join(',');
      if (!planned || planned.key !== key || now() - planned.at >= ttlMs) {
        planned = { at: now(), key, value: registrar.planned(rooms) };
      }
      return planned.value;
    },
  };
}

/** mdb's registration API with netboot's token (scopes read and machines:register). */
export function mdbRegistrar(options: { mdbUrl: string; token: () => string }): Registrar {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(new URL(path, options.mdbUrl), {
      method,
      headers: {
        authorization: `Bearer ${options.token()}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const json = (await res.json().catch(() => ({}))) as any;
    return { status: res.status, json };
  };
  const suggestion = async (room: string): Promise<Suggestion> => {
    const { status, json } = await call(
      'GET',
      `/api/v1/registrations/suggestion?room=${encodeURIComponent(room)}`,
    );
    if (status !== 200) throw new Error(`mdb: suggestion for room ${room}: HTTP ${status}`);
    return json as Suggestion;
  };
  return {
    async state() {
      try {
        const { status, json } = await call('GET', '/api/v1/settings/allow_self_registration');
        if (status !== 200)
          return { open: false, reason: `The machine database answered ${status}.` };
        const setting = json as SelfRegistrationSetting;
        return setting.value
          ? { open: true, reason: null }
          : {
              open: false,
              reason:
                'Self-registration is closed. A root can open it: lanctl setting set allow_self_registration on --for 1h',
            };
      } catch (e) {
        return {
          open: false,
          reason: `The machine database is unreachable (${(e as Error).message}).`,
        };
      }
    },
    suggestion,
    async planned(rooms) {
      const all = await Promise.all(
        rooms.map(async (room) => {
          const s = await suggestion(room).catch(() => null);
          return s?.source === 'expected' && s.hostname ? [{ room, hostname: s.hostname }] : [];
        }),
      );
      return all.flat();
    },
    async register(input) {
      let reply: { status: number; json: any };
      try {
        reply = await call('POST', '/api/v1/registrations', input);
      } catch (e) {
        return {
          outcome: 'failed',
          message: `the machine database is unreachable (${(e as Error).message}).`,
        };
      }
      const { status, json } = reply;
      if (status === 201 || status === 200)
        return { outcome: 'registered', machine: json as Machine };
      return { outcome: outcomeOf(status, json), message: plainWords(status, json, input) };
    },
  };
}

function outcomeOf(status: number, json: any): Exclude<RegistrationOutcome, 'registered'> {
  if (status === 403 && json?.error?.code === 'registration_closed') return 'closed';
  if (status === 409) return 'duplicate';
  if (status === 400 || status === 422) return 'invalid';
  return 'failed';
}

/** mdb's error as a sentence for the screen of the machine. */
function plainWords(status: number, json: any, input: RegistrationInput): string {
  const error = json?.error ?? {};
  const field: string | undefined = error.details?.[0]?.field;
  if (status === 403 && error.code === 'registration_closed') {
    return 'self-registration is closed. Ask a root to open it, then try again.';
  }
  if (status === 409 && field === 'hostname') {
    return `the hostname ${input.hostname} is already taken. Choose another one.`;
  }
  if (status === 409 && field === 'mac')
    return 'this machine (its MAC address) is already registered.';
  if (status === 409 && /pool/.test(error.code ?? '')) {
    return 'no free address is left for this machine type. Ask a root.';
  }
  const message: string = error.message ?? `the machine database answered HTTP ${status}`;
  return `${message}.`.replace(/\.\.$/, '.');
}
