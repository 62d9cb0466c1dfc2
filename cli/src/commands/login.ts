import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { createMdbClient, type WhoAmI } from '@lanctl/client';
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

interface LoginOptions {
  url?: string;
  token?: string;
  tokenFile?: string;
}

/** --token, else --token-file, else stdin (a prompt when it is a terminal). */
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
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    token = await prompt.question('API token: ');
    prompt.close();
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    token = Buffer.concat(chunks).toString('utf8');
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

async function login(o: LoginOptions): Promise<void> {
  const token = await readToken(o);
  const { url } = resolveConnection({
    flags: { url: o.url },
    env: process.env,
    stored: storedOrNull(),
    local: readLocalGateway(),
  });
  const me = await createMdbClient({ baseUrl: url, token }).whoami();
  const file = writeStoredLogin({ url: url.replace(/\/+$/, ''), token });
  process.stdout.write(`logged in to ${url} as ${describe(me)}; token stored in ${file}\n`);
}

export function registerLogin(program: Command): void {
  addWord(program, 'login', 'check a token against the API and store it for later commands')
    .option('--url <url>', URL_HELP)
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
