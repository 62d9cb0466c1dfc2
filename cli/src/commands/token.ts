import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureSigningKeys,
  issueToken,
  type KeyFiles,
  loadPrivateKey,
  presenceHostScope,
  SCOPES_BY_ROLE,
} from '@lanctl/auth';
import { hostnameSchema, type Role, SERVICE_ROLES } from '@lanctl/model';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { addWord, run } from '../command.ts';
import { LOCAL_DATA_DIR } from '../credentials.ts';
import { usageError } from '../output.ts';
import { parseDuration } from '../parse.ts';

const KEY_FILE = 'token-signing.key';
/**
 * Where a signing key may already be, in order: a local `lanctl start` (./var), the installed
 * services' key directory (mdb verifies with /etc/lanctl/token-signing.pub by default), the
 * installed data directory.
 */
const DATA_DIRS = [LOCAL_DATA_DIR, '/etc/lanctl', '/var/lib/lanctl'];
const DEFAULT_TTL_SECONDS = 365 * 86400;
/** Subjects end up in logs and audit lines: keep them to one plain word. */
const SUBJECT = /^[A-Za-z0-9._@-]{1,64}$/;

/**
 * The first of DATA_DIRS holding a key, so that a second key pair is never minted by accident;
 * with none, ./var unless only /var/lib/lanctl exists.
 */
export function defaultDataDir(): string {
  const withKey = DATA_DIRS.find((dir) => existsSync(join(dir, KEY_FILE)));
  if (withKey) return withKey;
  const system = DATA_DIRS[2]!;
  return !existsSync(LOCAL_DATA_DIR) && existsSync(system) ? system : LOCAL_DATA_DIR;
}

interface CreateOptions {
  name: string;
  role: Role;
  ttl: number;
  data?: string;
  key?: string;
  scope?: string[];
  host?: string[];
}

function keyFiles(o: CreateOptions): KeyFiles {
  if (o.key !== undefined) {
    const stem = o.key.endsWith('.key') ? o.key.slice(0, -'.key'.length) : o.key;
    return { privateKeyFile: o.key, publicKeyFile: `${stem}.pub` };
  }
  const dir = o.data ?? defaultDataDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    privateKeyFile: join(dir, KEY_FILE),
    publicKeyFile: join(dir, 'token-signing.pub'),
  };
}

async function createToken(o: CreateOptions): Promise<void> {
  if (!SUBJECT.test(o.name)) {
    usageError('--name must be 1-64 letters, digits, dots, dashes, underscores or @');
  }
  const files = keyFiles(o);
  const fresh = !existsSync(files.privateKeyFile);
  ensureSigningKeys(files);
  if (fresh) {
    // A new key pair signs tokens no running service accepts until it loads the public half.
    process.stderr.write(
      `lanctl: note: created a new signing key pair ${files.privateKeyFile} (public: ${files.publicKeyFile}); ` +
        'services accept this token once they verify with that public key\n',
    );
  }
  // A workstation token (--host) carries only its presence scopes: a copy taken off a machine
  // reads nothing of mdb or udb.
  const hosts = (o.host ?? []).map(presenceHostScope);
  const base = hosts.length > 0 ? [] : SCOPES_BY_ROLE[o.role];
  const scopes = [...new Set([...base, ...(o.scope ?? []), ...hosts])];
  const token = issueToken(loadPrivateKey(files.privateKeyFile), {
    subject: o.name,
    role: o.role,
    ttlSeconds: o.ttl,
    scopes,
  });
  process.stdout.write(`${token}\n`);
}

/** Scopes no role carries by default and a service token may be granted. */
/** users:hashes: the passwd writer; machines:register: netboot (registration at the machine). */
const EXTRA_SCOPES = ['users:hashes', 'machines:register', 'presence:write'];

export function registerToken(program: Command): void {
  const token = addWord(
    program,
    'token',
    'API tokens, signed locally with the gateway signing key',
  );
  token
    .command('create')
    .description(
      'issue a token and print only the token; run it where the signing key is (no API call)',
    )
    .requiredOption('--name <name>', 'who or what the token is for (its subject)')
    .addOption(
      new Option('--role <role>', 'what it may do').choices(SERVICE_ROLES).makeOptionMandatory(),
    )
    .addOption(
      new Option('--ttl <duration>', 'lifetime: 12h, 30d, ...')
        .argParser(parseDuration)
        .default(DEFAULT_TTL_SECONDS, '365d'),
    )
    .addOption(
      new Option(
        '--data <dir>',
        `directory holding ${KEY_FILE} (default: the first of ${DATA_DIRS.join(', ')} that ` +
          `holds one, else ${LOCAL_DATA_DIR}, or ${DATA_DIRS[2]} if only that exists); ` +
          'the key pair is created if missing',
      ).conflicts('key'),
    )
    .option('--key <file>', 'the private signing key itself (public half: same name, .pub)')
    .addOption(
      new Option(
        '--scope <scope...>',
        "extra scopes beyond the role's: users:hashes (passwd writer), machines:register " +
          '(netboot), presence:write (workstations: any machine)',
      ).choices(EXTRA_SCOPES),
    )
    .option(
      '--host <hostname...>',
      'a workstation token bound to these machines (scope presence:host:<hostname>, and none ' +
        "of the role's): it logs users in and heartbeats there only",
      collectHostnames,
    )
    .action(run(createToken));
}

function collectHostnames(value: string, previous: string[] | undefined): string[] {
  const parsed = hostnameSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidArgumentError(`"${value}": ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return [...(previous ?? []), parsed.data];
}
