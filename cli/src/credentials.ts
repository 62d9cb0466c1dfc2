import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@lanctl/core';

/** Where `lanctl start` listens unless told otherwise. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';
/** The data directory `lanctl start` uses by default, relative to where it was run. */
export const LOCAL_DATA_DIR = './var';

export interface StoredLogin {
  url: string;
  token: string;
}

type Env = Record<string, string | undefined>;

/** `$XDG_CONFIG_HOME/lanctl/token`, or `~/.config/lanctl/token`. */
export function loginFile(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'lanctl', 'token');
}

export function readStoredLogin(env: Env = process.env): StoredLogin | null {
  const file = loginFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<StoredLogin>;
    if (typeof value.url === 'string' && typeof value.token === 'string') {
      return { url: value.url, token: value.token };
    }
  } catch {
    // fall through: a damaged file gets the same advice as a wrong shape
  }
  throw new Error(`${file} is not a stored login: run \`lanctl login\` again`);
}

/** The token is a credential: directory 0700, file 0600, replaced atomically. */
export function writeStoredLogin(login: StoredLogin, env: Env = process.env): string {
  const file = loginFile(env);
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileAtomic(file, `${JSON.stringify(login)}\n`, 0o600);
  return file;
}

export function removeStoredLogin(env: Env = process.env): string | null {
  const file = loginFile(env);
  if (!existsSync(file)) return null;
  rmSync(file);
  return file;
}

/** What a local `lanctl start` left in its data directory: its origin and root token. */
export interface LocalGateway {
  url: string;
  token: string | null;
}

export function readLocalGateway(dataDir = LOCAL_DATA_DIR): LocalGateway {
  let url = DEFAULT_URL;
  try {
    const ports = JSON.parse(readFileSync(join(dataDir, 'ports.json'), 'utf8')) as {
      origin?: unknown;
    };
    if (typeof ports.origin === 'string') url = ports.origin;
  } catch {
    // no local gateway has run here: keep the default URL
  }
  let token: string | null = null;
  try {
    token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim() || null;
  } catch {
    token = null;
  }
  return { url, token };
}

export interface ConnectionSources {
  flags: { url?: string; token?: string };
  env: Env;
  stored: StoredLogin | null;
  local: LocalGateway;
}

export interface Connection {
  url: string;
  token: string | null;
  /** Where the token came from, for messages. */
  tokenSource: string | null;
}

const sameOrigin = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/**
 * URL: --url, $LANCTL_URL, the stored login, then the local gateway (./var/ports.json, else
 * http://127.0.0.1:8080). Token: --token, $LANCTL_TOKEN, then the stored login's or the local
 * admin token, each only for the URL it belongs to, so a token never goes to another server.
 */
export function resolveConnection(sources: ConnectionSources): Connection {
  const { flags, env, stored, local } = sources;
  const url = flags.url || env.LANCTL_URL || stored?.url || local.url;
  const candidates: [string | null | undefined, string][] = [
    [flags.token, '--token'],
    [env.LANCTL_TOKEN, 'LANCTL_TOKEN'],
    [stored && sameOrigin(stored.url, url) ? stored.token : null, 'stored login'],
    [sameOrigin(local.url, url) ? local.token : null, `${LOCAL_DATA_DIR}/admin-token`],
  ];
  const hit = candidates.find(([token]) => token);
  return { url, token: hit?.[0] ?? null, tokenSource: hit?.[1] ?? null };
}
