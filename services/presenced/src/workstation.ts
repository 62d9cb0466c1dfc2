import { readFile } from 'node:fs/promises';
import { createPresenceClient, type PresenceClient } from '@lanctl/client';
import { hostnameSchema } from '@lanctl/model';
import type { PresencedConfig } from './config.ts';
import { decodeUtmp, loggedInUsers } from './utmp.ts';

/**
 * This machine's name for presence: `hostname` from the config, else the system hostname
 * without its last `.suffix` (SADM: `pc12.prolo` → `pc12`). Throws naming the field.
 */
export function workstationHostname(configured: string | null, system: string): string {
  if (configured !== null) return configured;
  const dot = system.lastIndexOf('.');
  const name = dot > 0 ? system.slice(0, dot) : system;
  const parsed = hostnameSchema.safeParse(name);
  if (!parsed.success) {
    throw new Error(
      `hostname: the system hostname "${system}" gives "${name}", not a machine name; set hostname in presenced.yml`,
    );
  }
  return parsed.data;
}

/** `kill(pid, 0)` as `who` does: only "no such process" means gone. */
export function isAlive(pid: number): boolean {
  if (pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The logins of `utmp_file`'s live user sessions (SADM's `who -q`). */
export function utmpSource(
  config: Pick<PresencedConfig, 'utmp_file' | 'check_pids'>,
  alive: (pid: number) => boolean = isAlive,
): () => Promise<string[]> {
  return async () => {
    const file = decodeUtmp(await readFile(config.utmp_file));
    return loggedInUsers(file, config.check_pids ? alive : () => true);
  };
}

/** A presence client with the token as the file says now (a rotated token is picked up). */
export function presenceFor(
  config: Pick<PresencedConfig, 'presence_url' | 'request_timeout_seconds'>,
  token: () => string,
  fetchImpl?: typeof fetch,
): () => PresenceClient {
  return () =>
    createPresenceClient({
      baseUrl: config.presence_url,
      token: token(),
      timeoutMs: config.request_timeout_seconds * 1000,
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    });
}
