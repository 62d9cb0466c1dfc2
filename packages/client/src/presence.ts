import type { PresenceRecord } from '@lanctl/model';
import { ApiError } from './errors.ts';
import { type ClientOptions, createTransport } from './http.ts';

/** A session held by the presence service. */
export interface PresenceSession {
  login: string;
  hostname: string;
  /** When it ends without a heartbeat (ISO 8601). */
  expires_at: string;
}

export interface PresenceClient {
  /** `GET /api/v1/presence`: every session, by login. */
  list(): Promise<PresenceSession[]>;
  /** `DELETE /api/v1/presence/users/:login` (root): ends that user's session. */
  kickUser(login: string): Promise<void>;
  /** `DELETE /api/v1/presence/machines/:hostname` (root): ends the session on that machine. */
  freeMachine(hostname: string): Promise<void>;
  /**
   * `POST /api/v1/presence/login` (scope `presence:write`, a workstation's token): asks whether
   * `login` may open a session on `hostname`. A refusal throws ApiError with status 423, `code`
   * the SADM reason (`busy`, `too_early`...) and `message` SADM's text.
   */
  login(login: string, hostname: string): Promise<PresenceRecord>;
  /** `POST /api/v1/presence/logout`: ends the session; 423 when it is not on `hostname`. */
  logout(login: string, hostname: string): Promise<PresenceRecord>;
  /** `POST /api/v1/presence/heartbeat`: refreshes (or re-establishes) the session; never refused. */
  heartbeat(login: string, hostname: string): Promise<PresenceRecord>;
}

/** Presence refused the request (HTTP 423): `code` is SADM's reason, `message` its text. */
export const isPresenceRefusal = (e: unknown): e is ApiError =>
  e instanceof ApiError && e.status === 423;

/** The presence service's API (through the API origin). */
export function createPresenceClient(options: ClientOptions): PresenceClient {
  const call = createTransport(options, 'presence');
  return {
    list: async () => (await call<{ items: PresenceSession[] }>('GET', '/presence')).items,
    kickUser: async (login) => {
      await call('DELETE', `/presence/users/${encodeURIComponent(login)}`);
    },
    freeMachine: async (hostname) => {
      await call('DELETE', `/presence/machines/${encodeURIComponent(hostname)}`);
    },
    login: (login, hostname) => call('POST', '/presence/login', { body: { login, hostname } }),
    logout: (login, hostname) => call('POST', '/presence/logout', { body: { login, hostname } }),
    heartbeat: (login, hostname) =>
      call('POST', '/presence/heartbeat', { body: { login, hostname } }),
  };
}
