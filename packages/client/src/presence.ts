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
}

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
  };
}
