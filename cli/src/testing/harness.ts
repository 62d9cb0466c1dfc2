import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMdbClient, createUdbClient, type MdbClient, type UdbClient } from '@lanctl/client';
import { createLogger } from '@lanctl/core';
import { startGateway } from '../start/run.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
/** tsx's loader by absolute path: `--import tsx` would resolve from the child's cwd. */
const TSX_LOADER = join(
  dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
  'dist/loader.mjs',
);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Defaults to an empty directory, so no `./var` of a real gateway can leak in. */
  cwd?: string;
  env?: Record<string, string>;
  input?: string;
}

type Args = string | string[];
const argv = (args: Args) => (typeof args === 'string' ? args.split(/ +/).filter(Boolean) : args);

export interface CliHarness {
  /** Temp directory: `var/` is the gateway's data dir, `home/` the CLI user's HOME. */
  dir: string;
  dataDir: string;
  url: string;
  adminToken: string;
  /** udb's first root account `admin` has this password (`<data>/initial-admin-password`). */
  adminPassword: string;
  /** An in-process root client, for setting up and checking what the CLI did. */
  client: MdbClient;
  /** The same for udb. */
  udb: UdbClient;
  /**
   * Runs `lanctl ARGS` as a child process, with HOME and XDG_CONFIG_HOME inside `dir`. A string
   * is split on spaces; pass an array for arguments that contain one.
   */
  lanctl(args: Args, options?: RunOptions): Promise<CliResult>;
  /** Same, as the gateway's root (`--url` and `--token` appended). */
  admin(args: Args, options?: RunOptions): Promise<CliResult>;
  /** Same, with this token (`--url` and `--token` appended). */
  as(token: string, args: Args, options?: RunOptions): Promise<CliResult>;
  stop(): Promise<void>;
}

/** A real gateway in this process on port 0, and the real CLI run against it. */
export async function startCliHarness(): Promise<CliHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'lanctl-cli-'));
  const dataDir = join(dir, 'var');
  const empty = join(dir, 'work');
  mkdirSync(empty);
  const gateway = await startGateway({
    dataDir,
    host: '127.0.0.1',
    ports: { origin: 0, mdb: 0, mdbsync: 0, udb: 0, udbsync: 0, netboot: 0, presence: 0, sso: 0 },
    logger: createLogger('test', { silent: true }),
    loggerFor: (service) => createLogger(service, { silent: true }),
  });
  const url = gateway.urls.origin!;
  const adminToken = readFileSync(gateway.adminTokenFile, 'utf8').trim();
  const adminPassword = readFileSync(join(dataDir, 'initial-admin-password'), 'utf8').trim();
  const lanctl = (args: Args, options: RunOptions = {}) =>
    runCli(argv(args), {
      cwd: options.cwd ?? empty,
      env: { ...cleanEnv(), HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home/.config') },
      extraEnv: options.env,
      input: options.input,
    });
  const as = (token: string, args: Args, options?: RunOptions) =>
    lanctl([...argv(args), '--url', url, '--token', token], options);
  return {
    dir,
    dataDir,
    url,
    adminToken,
    adminPassword,
    client: createMdbClient({ baseUrl: url, token: adminToken }),
    udb: createUdbClient({ baseUrl: url, token: adminToken }),
    lanctl,
    admin: (args, options) => as(adminToken, args, options),
    as,
    async stop() {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The parent's environment minus anything that would steer the CLI (LANCTL_URL, ...). */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => !e[0].startsWith('LANCTL_') && e[1] !== undefined,
    ),
  );
}

function runCli(
  args: string[],
  o: {
    cwd: string;
    env: Record<string, string>;
    extraEnv?: Record<string, string>;
    input?: string;
  },
): Promise<CliResult> {
  // Asynchronous on purpose: the gateway answering the child lives in this very process.
  const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN, ...args], {
    cwd: o.cwd,
    env: { ...o.env, ...o.extraEnv },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  child.stdin.end(o.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
