import { readFileSync } from 'node:fs';
import { createUdbClient, type UdbClient } from '@lanctl/client';
import type { User } from '@lanctl/model';
import { InvalidArgumentError } from 'commander';
import { type ConnectionOptions, connect, connection } from '../command.ts';
import { usageError } from '../output.ts';
import type { Column } from '../table.ts';

/**
 * udb's client on the connection every API command uses (same origin, same token); with no
 * token at all, `connect`'s advice on how to get one.
 */
export function connectUdb(o: ConnectionOptions): UdbClient {
  connect(o);
  const { url, token } = connection(o);
  return createUdbClient({ baseUrl: url, token: token ?? undefined });
}

export const describeUser = (u: User) =>
  `${u.login} (${u.firstname} ${u.lastname}, ${u.group}, uid ${u.uid})`;

export const USER_COLUMNS: Column<User>[] = [
  { header: 'LOGIN', value: (u) => u.login },
  { header: 'UID', value: (u) => u.uid, align: 'right' },
  { header: 'GROUP', value: (u) => u.group },
  { header: 'FIRSTNAME', value: (u) => u.firstname },
  { header: 'LASTNAME', value: (u) => u.lastname },
  { header: 'SHELL', value: (u) => u.shell },
  { header: 'SSH KEYS', value: (u) => u.ssh_keys.length, align: 'right' },
];

/** Repeatable options (`--ssh-key-file A --ssh-key-file B`); undefined when never given. */
export const collect = (value: string, previous: string[] | undefined) => [
  ...(previous ?? []),
  value,
];

export function parseUid(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

export function parsePositive(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError('expected a whole number above 0');
  }
  return Number(value);
}

/**
 * The public keys of each file, in order, as in an authorized_keys file: one key a line, blank
 * lines and `#` comments skipped. A file without any key is a usage error (a wrong file).
 */
export function readSshKeyFiles(files: string[], flag: string): string[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      usageError(`cannot read ${flag} ${file}: ${(e as Error).message}`);
    }
    const keys = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    if (keys.length === 0) usageError(`${flag} ${file} holds no SSH public key`);
    return keys;
  });
}

/** Keys without repeats; a key is its type and blob, whatever its comment. */
export function uniqueKeys(keys: string[]): string[] {
  const seen = new Set<string>();
  return keys.filter((key) => {
    const id = key.split(/\s+/).slice(0, 2).join(' ');
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
