/** A session in the presence service's `presence` stream (SADM's presencesync records), keyed by login. */
export interface PresenceRecord {
  login: string;
  hostname: string;
}
