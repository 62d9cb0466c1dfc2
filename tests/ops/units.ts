/**
 * The services shipped as systemd units, with their example configs: one row each. Every check
 * in tests/ops runs on every row (STYLE rule 20: parameterize, never clone).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@lanctl/core';
import { DEFAULT_MDB_PORT, mdbConfigSchema } from '@lanctl/mdb';
import { DEFAULT_UDB_PORT, DEFAULT_UDB_SYNC_PORT, udbConfigSchema } from '@lanctl/udb';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ShippedService {
  name: string;
  schema: Parameters<typeof loadConfig>[1];
  port: number;
  /** `LoadCredential=` of the unit: credential id → the root-only file systemd copies it from. */
  credentials: Record<string, string>;
  /** Config keys (dotted) holding secret files: each one set must be one of the credentials. */
  secretKeys: string[];
  /** Config keys (dotted) of files the service writes: each must be in its state directory. */
  writtenKeys: string[];
  /** Config values the example must hold, beyond what every row checks. */
  pinned: Record<string, unknown>;
}

export const SHIPPED: ShippedService[] = [
  {
    name: 'mdb',
    schema: mdbConfigSchema,
    port: DEFAULT_MDB_PORT,
    credentials: {},
    secretKeys: [],
    writtenKeys: [],
    pinned: { 'auth.public_read': false },
  },
  {
    name: 'udb',
    schema: udbConfigSchema,
    port: DEFAULT_UDB_PORT,
    credentials: { 'token-signing.key': '/etc/lanctl/token-signing.key' },
    secretKeys: [
      'auth.private_key_file',
      'sadm.shared_secret_file',
      'sadm.sub_secret_file',
      'sadm.pub_secret_file',
    ],
    writtenKeys: ['initial_admin_password_file'],
    pinned: {
      'sync.port': DEFAULT_UDB_SYNC_PORT,
      'auth.cookie_secure': false,
      system_passwd_file: '/etc/passwd',
    },
  },
];

export const unitName = (s: ShippedService) => `lanctl-${s.name}.service`;
export const unitSource = (s: ShippedService) =>
  readFileSync(join(ROOT, 'systemd', unitName(s)), 'utf8');
/** `%d` of the unit: where systemd puts its `LoadCredential=` files. */
export const credentialsDirectory = (s: ShippedService) => `/run/credentials/${unitName(s)}`;

/** `Key=value` pairs of one section of a unit file; repeated keys keep every value. */
export function section(text: string, name: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  let inside = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inside = line === `[${name}]`;
    else if (inside && line && !line.startsWith('#')) {
      const at = line.indexOf('=');
      const key = line.slice(0, at);
      keys.set(key, [...(keys.get(key) ?? []), line.slice(at + 1)]);
    }
  }
  return keys;
}

/** The unit's `Environment=` variables as the process gets them (`%d` expanded; others refused). */
export function unitEnvironment(s: ShippedService): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of section(unitSource(s), 'Service').get('Environment') ?? []) {
    const value = line.replaceAll('%d', credentialsDirectory(s));
    if (/%[^%]/.test(value)) throw new Error(`${unitName(s)}: unexpected specifier in ${line}`);
    const at = value.indexOf('=');
    env[value.slice(0, at)] = value.slice(at + 1);
  }
  return env;
}

/**
 * install/<name>.yml parsed as `lanctl serve` does: with no environment (what the file says), or
 * with the unit's `Environment=` (what the service runs with).
 */
export function loadInstallConfig(s: ShippedService, env: Record<string, string> = {}): any {
  return loadConfig(s.name, s.schema, { path: join(ROOT, `install/${s.name}.yml`), env });
}

/** A dotted key of a parsed config. */
export const configValue = (config: any, key: string): unknown =>
  key.split('.').reduce((node, k) => node?.[k], config);
