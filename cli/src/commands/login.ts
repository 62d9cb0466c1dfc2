import { readFileSync } from 'node:fs';
import { createMdbClient, createUdbClient, isApiError, type WhoAmI } from '@lanctl/client';
import { type Command, Option } from 'commander';
import {
  addWord,
  type ConnectionOptions,
  connect,
  connection,
  connectionOptions,
  run,
  URL_HELP,
} from '../command.ts';
import {
  readLocalGateway,
  readStoredLogin,
  removeStoredLogin,
  resolveConnection,
  type StoredLogin,
  writeStoredLogin,
} from '../credentials.ts';
import { printJson, usageError } from '../output.ts';
import { formatDuration } from '../parse.ts';
import { askSecret, canPrompt, readStdin, stdinLines } from './user-input.ts';

interface LoginOptions {
  url?: string;
  token?: string;
  tokenFile?: string;
  login?: string;
  passwordStdin?: boolean;
}

/** --token, else --token-file, else stdin (a prompt without echo when it is a terminal). */
async function readToken(o: LoginOptions): Promise<string> {
  let token: string;
  if (o.token !== undefined) token = o.token;
  else if (o.tokenFile !== undefined) {
    try {
      token = readFileSync(o.tokenFile, 'utf8');
    } catch (e) {
      usageError(`cannot read --token-file ${o.tokenFile}: ${(e as Error).message}`);
    }
  } else if (process.stdin.isTTY) {
    token = await askSecret('API token: ');
  } else {
    token = await readStdin();
  }
  token = token.trim();
  if (token === '') usageError('no token given: pass --token, --token-file, or pipe it on stdin');
  return token;
}

/** A damaged stored login must not stop the user from replacing it. */
function storedOrNull(): StoredLogin | null {
  try {
    return readStoredLogin();
  } catch {
    return null;
  }
}

const describe = (me: WhoAmI) => `${me.subject} (role ${me.role}, ${me.kind} token)`;

/** The origin to log in to: --url, $LANCTL_URL, the stored login's, the local gateway's. */
const targetUrl = (o: LoginOptions) =>
  resolveConnection({
    flags: { url: o.url },
    env: process.env,
    stored: storedOrNull(),
    local: readLocalGateway(),
  }).url;

async function tokenLogin(o: LoginOptions): Promise<void> {
  if (o.passwordStdin) usageError('--password-stdin needs the login to log in as');
  const token = await readToken(o);
  const url = targetUrl(o);
  const me = await createMdbClient({ baseUrl: url, token }).whoami();
  const file = writeStoredLogin({ url: url.replace(/\/+$/, ''), token });
  process.stdout.write(`logged in to ${url} as ${describe(me)}; token stored in ${file}\n`);
}

/** --password-stdin (its first line), else a prompt without echo on the terminal. */
async function readPassword(login: string, o: LoginOptions): Promise<string> {
  if (o.passwordStdin) return (await stdinLines(1, ['the password']))[0]!;
  if (!canPrompt()) usageError('no terminal to ask for the password on: pass --password-stdin');
  const password = await askSecret(`Password for ${login}: `);
  if (password === '') usageError('no password given');
  return password;
}

/** Wrong passwords and the rate limit are one plain line, not an invitation to `lanctl login`. */
function loginFailure(e: unknown, login: string, url: string): unknown {
  if (!isApiError(e)) return e;
  if (e.code === 'invalid_credentials')
    return new Error(`wrong login or password for ${login} at ${url}`);
  if (e.code === 'rate_limited') {
    const wait =
      e.retryAfterSeconds === undefined ? 'later' : `in ${formatDuration(e.retryAfterSeconds)}`;
    return new Error(`too many failed logins for ${login}: try again ${wait}`);
  }
  return e;
}

/** A person's login: udb checks the password and answers a session token, stored as any token. */
async function passwordLogin(login: string, o: LoginOptions): Promise<void> {
  if (o.token !== undefined || o.tokenFile !== undefined) {
    usageError('a login with a password takes no --token or --token-file');
  }
  const password = await readPassword(login, o);
  const url = targetUrl(o);
  const session = await createUdbClient({ baseUrl: url })
    .login(login, password)
    .catch((e: unknown) => {
      throw loginFailure(e, login, url);
    });
  const file = writeStoredLogin({ url: url.replace(/\/+$/, ''), token: session.token });
  const { user } = session;
  process.stdout.write(
    `logged in to ${url} as ${user.login} (role ${user.group}, user token until ${session.expires_at}); token stored in ${file}\n`,
  );
}

async function login(name: string | undefined, o: LoginOptions): Promise<void> {
  if (name !== undefined && o.login !== undefined && name !== o.login) {
    usageError('give the login once: as LOGIN or as --login');
  }
  const person = name ?? o.login;
  return person === undefined ? tokenLogin(o) : passwordLogin(person, o);
}

export function registerLogin(program: Command): void {
  addWord(
    program,
    'login',
    'store a token for later commands: an API token (checked), or a session from a login and password',
  )
    .argument(
      '[login]',
      'log in as this person with their password (prompted, or --password-stdin)',
    )
    .option('--url <url>', URL_HELP)
    .option('--login <login>', 'same as the LOGIN argument')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .addOption(
      new Option('--token <token>', 'the token (visible to `ps`: prefer --token-file or stdin)'),
    )
    .addOption(
      new Option('--token-file <file>', 'read the token from this file').conflicts('token'),
    )
    .action(run(login));
  addWord(program, 'logout', 'forget the stored login').action(
    run(async () => {
      const file = removeStoredLogin();
      process.stdout.write(file ? `removed ${file}\n` : 'no stored login\n');
    }),
  );
  connectionOptions(addWord(program, 'whoami', 'show who the current token belongs to'))
    .option('--json', 'print JSON')
    .action(
      run(async (o: ConnectionOptions & { json?: boolean }) => {
        const me = await connect(o).whoami();
        if (o.json) return printJson(me);
        const { url, tokenSource } = connection(o);
        process.stdout.write(`${describe(me)} at ${url} (token from ${tokenSource})\n`);
      }),
    );
}
