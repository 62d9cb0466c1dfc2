import { createMdbClient, type MdbClient } from '@lanctl/client';
import { type Command, CommanderError } from 'commander';
import {
  type Connection,
  readLocalGateway,
  readStoredLogin,
  resolveConnection,
} from './credentials.ts';
import { errorLine, fail } from './output.ts';

/**
 * A top-level word (`machine`, `pool`, ...). Its subcommands inherit these settings: usage
 * errors are one `lanctl: ...` line with exit code 2 (commander's default is a help dump and 1).
 */
export function addWord(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .showHelpAfterError(false)
    .configureOutput({
      outputError: (text, write) =>
        write(`lanctl: ${text.replace(/^error: /, '').trim()} (see --help)\n`),
    })
    .exitOverride((err) => {
      // --help and --version end with 0 and stay so; every other commander exit is a usage error.
      throw err.exitCode === 0 ? err : new CommanderError(2, err.code, err.message);
    });
}

/** Wraps an action so any failure ends as one `lanctl: ...` line and exit 1. */
export function run<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  return async (...args: A): Promise<void> => {
    try {
      await action(...args);
    } catch (e) {
      fail(errorLine(e));
    }
  };
}

export interface ConnectionOptions {
  url?: string;
  token?: string;
}

export const URL_HELP =
  'API origin (default: $LANCTL_URL, the stored login, ./var/ports.json, http://127.0.0.1:8080)';

/** --url and --token, which every command talking to the API takes. */
export function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', URL_HELP)
    .option(
      '--token <token>',
      'API token (default: $LANCTL_TOKEN, the stored login, ./var/admin-token)',
    );
}

/** A subcommand that talks to the API. */
export function apiCommand(parent: Command, nameAndArgs: string, description: string): Command {
  return connectionOptions(parent.command(nameAndArgs).description(description));
}

export function connection(options: ConnectionOptions): Connection {
  return resolveConnection({
    flags: options,
    env: process.env,
    stored: readStoredLogin(),
    local: readLocalGateway(),
  });
}

/** The client for an API command; no token at all is an error that says how to get one. */
export function connect(options: ConnectionOptions): MdbClient {
  const { url, token } = connection(options);
  if (!token) {
    fail(
      `no API token for ${url}: run \`lanctl login --url ${url}\` (or pass --token, or set LANCTL_TOKEN)`,
    );
  }
  return createMdbClient({ baseUrl: url, token });
}
