import { tokenFromFile } from '@lanctl/auth';
import { isPresenceRefusal, type PresenceClient } from '@lanctl/client';
import type { PresencedConfig } from './config.ts';
import { getentLookup, type PasswdEntry, type PasswdLookup } from './passwd.ts';
import { type ConfigProblem, decidePam, type PamDecision, type PamEnv } from './policy.ts';
import { presenceFor, workstationHostname } from './workstation.ts';

/** The home-server hook's answer until the home-server issue lands (SADM mounted an NBD home). */
export const HOME_NOT_MANAGED = 'home server: not managed by lanctl yet; using the local /home';

export interface PamHelperDeps {
  env: PamEnv;
  /** Loads presenced.yml; if it throws, every uid ≥ 1000 is refused with its message. */
  config: () => PresencedConfig;
  systemHostname: () => string;
  /** Writes one line to stderr (the greeter reads them). */
  write: (line: string) => void;
  /** Default: `getent passwd`. */
  passwd?: PasswdLookup;
  fetch?: typeof fetch;
}

/** SADM's greeter protocol: one JSON object a line. */
export const greeterLine = (message: string, isError: boolean): string =>
  `${JSON.stringify({ message, isError })}\n`;

/** A failure shown to the user as is (the exception chain of SADM, already joined). */
class PamFailure extends Error {}

/**
 * pam_exec's helper (SADM's pam_prologin.py): returns the exit status, 0 to let PAM go on.
 * Everything the user should see goes to `write` as greeter lines.
 */
export async function runPam(deps: PamHelperDeps): Promise<0 | 1> {
  const say = (message: string, isError = false) => deps.write(greeterLine(message, isError));
  const config = loadConfig(deps);
  try {
    const seconds = 'error' in config ? DEFAULT_LOOKUP_SECONDS : config.request_timeout_seconds;
    const entry = await lookup(deps, seconds * 1000);
    const decision = decidePam(deps.env, entry, 'error' in config ? config : config.managed_uids);
    if (decision.kind === 'skip') return 0;
    if (decision.kind === 'refuse' || decision.kind === 'unrecorded') {
      say(decision.message, decision.kind === 'refuse');
      return decision.kind === 'refuse' ? 1 : 0;
    }
    // decidePam never sends a broken config's user to presence; fail closed if that changes.
    if ('error' in config) throw new PamFailure(`lanctl-pam: ${config.error}`);
    return await act(decision, config, deps, say);
  } catch (e) {
    const text = e instanceof PamFailure ? e.message : `lanctl-pam: ${(e as Error).message}`;
    // A session must always be able to close, even when its user cannot be looked up.
    if (deps.env.PAM_TYPE === 'close_session') {
      say(`Logout not recorded: ${text.replace(/^Login impossible: /, '')}`);
      return 0;
    }
    say(text, true);
    return 1;
  }
}

/** Limit of the passwd look-up when the config (and its `request_timeout_seconds`) is broken. */
const DEFAULT_LOOKUP_SECONDS = 5;

function loadConfig(deps: PamHelperDeps): PresencedConfig | ConfigProblem {
  try {
    return deps.config();
  } catch (e) {
    return { error: (e as Error).message };
  }
}

async function lookup(deps: PamHelperDeps, timeoutMs: number): Promise<PasswdEntry | null> {
  const user = deps.env.PAM_USER ?? '';
  if (user === '') return null;
  const passwd = deps.passwd ?? getentLookup(timeoutMs);
  try {
    return await passwd.byName(user);
  } catch (e) {
    throw new PamFailure(`Login impossible: cannot look ${user} up: ${(e as Error).message}`);
  }
}

type Say = (message: string, isError?: boolean) => void;

async function act(
  decision: Extract<PamDecision, { login: string }>,
  config: PresencedConfig,
  deps: PamHelperDeps,
  say: Say,
): Promise<0 | 1> {
  const hostname = workstationHostname(config.hostname, deps.systemHostname());
  const presence = presenceFor(config, tokenFromFile(config.token_file), deps.fetch)();
  const { login } = decision;
  if (decision.kind === 'account') {
    say('Checking user…');
    say('Asking presence…');
    await askLogin(presence, login, hostname);
    return 0;
  }
  if (decision.kind === 'open') {
    await askLogin(presence, login, hostname);
    say(HOME_NOT_MANAGED);
    return 0;
  }
  // close_session: a session must always be able to close; presence learns it or expires it.
  try {
    await presence.logout(login, hostname);
  } catch (e) {
    const why = isPresenceRefusal(e) ? 'presence refused' : 'presence did not answer';
    say(`Logout not recorded (${why}: ${(e as Error).message}); the session will expire`);
  }
  return 0;
}

/** SADM's `/login`: a refusal is `Login forbidden: <reason>`; no answer refuses too (fail closed). */
async function askLogin(presence: PresenceClient, login: string, hostname: string): Promise<void> {
  try {
    await presence.login(login, hostname);
  } catch (e) {
    const message = (e as Error).message;
    if (isPresenceRefusal(e)) throw new PamFailure(`Login forbidden: ${message}`);
    throw new PamFailure(
      `Login impossible: presence cannot confirm this login (${message}). Try again in a minute or ask an organizer.`,
    );
  }
}
