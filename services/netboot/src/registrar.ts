import { type ApiError, createMdbClient, isApiError } from '@lanctl/client';
import type { Machine, RegistrationSuggestion } from '@lanctl/model';
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

export type Suggestion = RegistrationSuggestion;

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
  // A client per call: the token file may be rotated under us (re-read at each use).
  const mdb = () =>
    createMdbClient({ baseUrl: options.mdbUrl, token: options.token(), timeoutMs: TIMEOUT_MS });
  const suggestion = (room: string): Promise<Suggestion> => mdb().registrations.suggest(room);
  return {
    async state() {
      try {
        const setting = await mdb().settings.get('allow_self_registration');
        return setting.value
          ? { open: true, reason: null }
          : {
              open: false,
              reason:
                'Self-registration is closed. A root can open it: lanctl setting set allow_self_registration on --for 1h',
            };
      } catch (e) {
        if (isApiError(e) && e.status !== 0) {
          return { open: false, reason: `The machine database answered ${e.status}.` };
        }
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
      try {
        return { outcome: 'registered', machine: await mdb().registrations.register(input) };
      } catch (e) {
        if (!isApiError(e) || e.status === 0) {
          const why = (e as Error).message;
          return { outcome: 'failed', message: `the machine database is unreachable (${why}).` };
        }
        return { outcome: outcomeOf(e), message: plainWords(e, input) };
      }
    },
  };
}

function outcomeOf(e: ApiError): Exclude<RegistrationOutcome, 'registered'> {
  if (e.status === 403 && e.code === 'registration_closed') return 'closed';
  if (e.status === 409) return 'duplicate';
  if (e.status === 400 || e.status === 422) return 'invalid';
  return 'failed';
}

/** mdb's error as a sentence for the screen of the machine. */
function plainWords(e: ApiError, input: RegistrationInput): string {
  const field = e.details[0]?.field;
  if (e.status === 403 && e.code === 'registration_closed') {
    return 'self-registration is closed. Ask a root to open it, then try again.';
  }
  if (e.status === 409 && field === 'hostname') {
    return `the hostname ${input.hostname} is already taken. Choose another one.`;
  }
  if (e.status === 409 && field === 'mac')
    return 'this machine (its MAC address) is already registered.';
  if (e.status === 409 && /pool/.test(e.code)) {
    return 'no free address is left for this machine type. Ask a root.';
  }
  return `${e.message}.`.replace(/\.\.$/, '.');
}
