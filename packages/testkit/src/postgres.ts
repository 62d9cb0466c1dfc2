import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const PG_MISSING_MESSAGE =
  'PostgreSQL 15 is required for the test suite (apt-get install postgresql)';

// --no-sync only skips flushing the fresh cluster files; the running server keeps fsync on.
const INITDB_ARGS = ['-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'];

export interface PostgresCluster {
  /** Superuser URL of the `postgres` database, e.g. `postgres://postgres@127.0.0.1:PORT/postgres`. */
  url: string;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Extra server settings (`-c name=value`); fsync stays on unless overridden here. */
  settings?: Record<string, string>;
}

/**
 * Starts a throwaway PostgreSQL 15 cluster in a temp dir on a random loopback port. A missing
 * installation throws: the suite must fail loudly rather than silently test SQLite alone.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  await access(join(PG_BIN, 'pg_ctl')).catch((err) => {
    throw new Error(PG_MISSING_MESSAGE, { cause: err });
  });
  const dir = await mkdtemp(join(tmpdir(), 'lanctl-pg-'));
  const asRoot = process.getuid?.() === 0;
  // initdb refuses to run as root, so the cluster belongs to the postgres system user.
  if (asRoot) await chown(dir, ...(await postgresIds()));
  const pgRun = (bin: string, args: string[]) => {
    const file = join(PG_BIN, bin);
    const [cmd, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', file, ...args]]
      : [file, args];
    return run(cmd, argv, { cwd: dir });
  };
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  try {
    await pgRun('initdb', ['-D', data, ...INITDB_ARGS]);
    const port = await startOnFreePort(pgRun, data, dir, log, options.settings ?? {});
    const stopSync = () => stopCluster(asRoot, data);
    process.once('exit', stopSync);
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async stop() {
        if (stopped) return;
        stopped = true;
        process.off('exit', stopSync);
        await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    const tail = await readFile(log, 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `PostgreSQL test cluster did not start: ${describe(err)}\n${tail.slice(-2000)}`,
      {
        cause: err,
      },
    );
  }
}

type PgRun = (bin: string, args: string[]) => Promise<unknown>;

/** A port found free can be taken before the server binds it, hence a few attempts. */
async function startOnFreePort(
  pgRun: PgRun,
  data: string,
  socketDir: string,
  log: string,
  settings: Record<string, string>,
): Promise<number> {
  const extra = Object.entries({ max_connections: '300', ...settings })
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const serverArgs = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 ${extra}`;
    try {
      await pgRun('pg_ctl', ['-w', '-t', '60', '-D', data, '-l', log, '-o', serverArgs, 'start']);
      return port;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function postgresIds(): Promise<[number, number]> {
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]).catch((err) => {
    throw new Error(`${PG_MISSING_MESSAGE}: no postgres system user`, { cause: err });
  });
  return [Number(uid.stdout.trim()), Number(gid.stdout.trim())];
}

/** Used from an `exit` handler, where only synchronous work runs: no cluster outlives the run. */
function stopCluster(asRoot: boolean, data: string): void {
  const args = ['-D', data, '-m', 'immediate', 'stop'];
  const ctl = join(PG_BIN, 'pg_ctl');
  if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', ctl, ...args], { stdio: 'ignore' });
  else spawnSync(ctl, args, { stdio: 'ignore' });
}

let databaseCounter = 0;

/** Creates an empty database with a unique name on the cluster at `adminUrl`. */
export async function createTestDatabase(
  adminUrl: string,
  prefix = 'lanctl_test',
): Promise<{ url: string; drop(): Promise<void> }> {
  databaseCounter += 1;
  const suffix = `${process.pid}_${databaseCounter}_${randomBytes(3).toString('hex')}`;
  const name = `${prefix}_${suffix}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63);
  await adminQuery(adminUrl, `CREATE DATABASE ${quoteIdent(name)}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropDatabase(adminUrl, name),
  };
}

/**
 * Without FORCE: the server waits up to 5 s for backends of just-closed pools to exit, whereas
 * FORCE would kill them mid-goodbye and raise an uncaught error in the test process.
 */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)}`).catch((err) => {
    throw new Error(`cannot drop test database ${name}: close every handle opened on it first`, {
      cause: err,
    });
  });
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

function describe(err: unknown): string {
  const e = err as { message?: string; stderr?: string };
  return [e.message, e.stderr].filter(Boolean).join('\n') || String(err);
}
