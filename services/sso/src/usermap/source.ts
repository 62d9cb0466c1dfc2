import type { Group, Machine, Room } from '@lanctl/model';

/**
 * What the usermap reads: the tables the sso service follows, as they are now. The sso service
 * implements it from its stream subscriptions; the usermap never fetches anything itself
 * (but for its pings).
 */
export interface UsermapSource {
  /** False until machines, rooms, users and presence have each been received once. */
  ready(): boolean;
  machines(): readonly Machine[];
  rooms(): readonly Room[];
  /** hostname → login of the session on it (presence). */
  sessions(): ReadonlyMap<string, string>;
  /** The udb group of a login, undefined for a login udb does not know. */
  groupOf(login: string): Group | undefined;
  /** Called after any of the above changed; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}
