/**
 * bench:presence's fixtures: mdb and udb in this process (SQLite) loaded through their bulk
 * APIs, and `lanctl serve presence` as a child process under `timeout`, whose CPU time and
 * memory are read from /proc.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { issueToken, loadPrivateKey, loadPublicKey } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { create as createMdb, type MdbService, mdbConfigSchema } from '@lanctl/mdb';
import { MAX_IMPORT_ROWS } from '@lanctl/model';
import { startUdbIn } from '../../../tests/udb/server.ts';
import { Client } from '../http.ts';
import { REPO } from '../server.ts';

const LANCTL_BIN = join(REPO, 'cli/bin/lanctl');

/** Machine `i` and user `i` of the bench (zero-based); spares come after the heartbeating ones. */
export const benchHost = (i: number) => `pc${String(i).padStart(5, '0')}`;
export const benchLogin = (i: number) => `u${String(i).padStart(5, '0')}`;

function benchMac(i: number): string {
  const bytes = [2, 0x42, 0, (i >>> 16) & 255, (i >>> 8) & 255, i & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export interface Directory {
  /** API origins (bulk loading). */
  mdbUrl: string;
  udbUrl: string;
  /** Sync origins presence follows. */
  mdbSyncUrl: string;
  udbSyncUrl: string;
  publicKeyFile: string;
  /** Issues a token signed with the key every service here trusts. */
  token(role: 'root' | 'reader', scopes?: string[]): string;
  stop(): Promise<void>;
}

const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/** mdb and udb on fresh SQLite files in `dir`, sharing one signing key (udb's, made in `dir`). */
export async function startDirectory(dir: string, people: number): Promise<Directory> {
  const udb = await startUdbIn(dir, join(dir, 'udb.sqlite'), {
    // Passwords play no part here: the cheapest rounds udb accepts keep the import short, and
    // the contestants' uid pool must hold every bench user.
    config: {
      passwords: { rounds: 1000 },
      uid_pools: { user: [10000, 10000 + Math.max(1000, people + 10)] },
    },
  });
  const publicKeyFile = join(dir, 'key.pub');
  const privateKey = loadPrivateKey(join(dir, 'key'));
  let mdb: MdbService;
  let mdbUrl: string;
  try {
    const config = validateConfig('mdb', mdbConfigSchema, {
      listen: { host: '127.0.0.1', port: 0 },
      sync: { port: 0 },
      database: { url: join(dir, 'mdb.sqlite') },
      auth: { public_key_file: publicKeyFile },
    });
    mdb = createMdb(config, {
      logger: createLogger('mdb', { stream: sink() }),
      metrics: createMetricsRegistry(),
      publicKey: loadPublicKey(publicKeyFile),
    });
    mdbUrl = (await mdb.start()).url;
  } catch (e) {
    await udb.stop();
    throw e;
  }
  const token: Directory['token'] = (role, scopes) =>
    issueToken(privateKey, { subject: `bench-${role}`, role, ...(scopes ? { scopes } : {}) });
  return {
    mdbUrl,
    udbUrl: udb.url,
    mdbSyncUrl: mdb.syncUrl!,
    udbSyncUrl: udb.service.syncUrl!,
    publicKeyFile,
    token,
    async stop() {
      await Promise.all([mdb.stop(), udb.stop()]);
    },
  };
}

/**
 * `count` machines of type `user` (from a 10.0.0.0/16 pool given to that type: the default
 * pool is a /24) in imports of at most MAX_IMPORT_ROWS rows, and `count` users of group `user`
 * in one udb import. Returns the time each took.
 */
export async function loadDirectory(
  directory: Directory,
  count: number,
): Promise<{ machines_s: number; users_s: number }> {
  const mdb = new Client(directory.mdbUrl, directory.token('root'), 1);
  const udb = new Client(directory.udbUrl, directory.token('root'), 1);
  try {
    let t0 = performance.now();
    await mdb.expect(201, 'POST', '/api/v1/pools', { name: 'bench', network: '10.0.0.0/16' });
    await mdb.expect(200, 'PATCH', '/api/v1/machine-types/user', { pool: 'bench' });
    for (let from = 0; from < count; from += MAX_IMPORT_ROWS) {
      const rows = [];
      for (let i = from; i < Math.min(count, from + MAX_IMPORT_ROWS); i++) {
        rows.push({ hostname: benchHost(i), mac: benchMac(i), mtype: 'user', room: 'pasteur' });
      }
      await mdb.expect(201, 'POST', '/api/v1/machines/import', { rows });
    }
    const machines_s = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const people = Array.from({ length: count }, (_, i) => ({
      login: benchLogin(i),
      firstname: 'Bench',
      lastname: `User ${i}`,
    }));
    const reply = await udb.expect(200, 'POST', '/api/v1/users/import', {
      format: 'json',
      data: JSON.stringify(people),
      group: 'user',
    });
    if (reply.summary.created !== count) {
      const bad = reply.results.find((r: { status: string }) => r.status !== 'created');
      throw new Error(
        `udb import: ${reply.summary.created}/${count} created; ${JSON.stringify(bad)}`,
      );
    }
    return { machines_s: round1(machines_s), users_s: round1((performance.now() - t0) / 1000) };
  } finally {
    mdb.close();
    udb.close();
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export interface PresenceProcess {
  url: string;
  /** node's own pid (under `timeout`, which is what we spawned). */
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export interface PresenceOptions {
  /** presence's `timeout_seconds`. */
  timeoutSeconds: number;
  /** `timeout`'s limit on the whole process. */
  limitSeconds: number;
  /** LANCTL_LOG_LEVEL: `info` (production) logs every request. */
  logLevel: string;
  /** Run what `bin/lanctl` execs with `--cpu-prof` into this directory (written at exit). */
  profileDir?: string;
}

/**
 * `timeout LIMIT lanctl serve presence --config FILE` in a process group of its own, on a port
 * picked here (its start line may be below the log level); resolves once `/healthz` answers.
 * Its output goes to `dir/presence.log`.
 */
export async function startPresence(
  dir: string,
  directory: Directory,
  options: PresenceOptions,
): Promise<PresenceProcess> {
  const tokenFile = join(dir, 'presence.token');
  writeFileSync(tokenFile, directory.token('reader'), { mode: 0o600 });
  const port = await freePort();
  const configFile = join(dir, 'presence.yml');
  const config = {
    listen: { host: '127.0.0.1', port },
    timeout_seconds: options.timeoutSeconds,
    mdb_upstream: directory.mdbSyncUrl,
    udb_upstream: directory.udbSyncUrl,
    token_file: tokenFile,
    state_dir: join(dir, 'presence-state'),
    auth: { public_key_file: directory.publicKeyFile },
  };
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const logFile = join(dir, 'presence.log');
  const log = openSync(logFile, 'w');
  const launcher = options.profileDir
    ? [
        'node',
        '--cpu-prof',
        '--cpu-prof-dir',
        options.profileDir,
        '--import',
        `file://${join(REPO, 'cli/node_modules/tsx/dist/loader.mjs')}`,
        join(REPO, 'cli/src/main.ts'),
      ]
    : [LANCTL_BIN];
  // --foreground: `timeout` passes a SIGTERM on to node once (not again to its whole group).
  const argv = ['--foreground', String(options.limitSeconds), ...launcher];
  const child = spawn('timeout', [...argv, 'serve', 'presence', '--config', configFile], {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, LANCTL_LOG_LEVEL: options.logLevel },
  });
  closeSync(log);
  const stop = () => stopGroup(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await answering(child, `${url}/healthz`, logFile);
    return { url, pid: nodePid(child.pid!), logFile, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A port free right now on 127.0.0.1 (the kernel's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers with any status (60 s at most), failing if the child exits. */
async function answering(child: ChildProcess, url: string, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  const fail = (why: string) =>
    new Error(`lanctl serve presence: ${why}\n${readFileSafe(logFile).slice(-2000)}`);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw fail('exited early');
    const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (res) => res.arrayBuffer().then(() => res.status),
      () => 0,
    );
    if (status !== 0) return;
    if (Date.now() > deadline) throw fail(`${url} did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const readFileSafe = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/** `timeout` forks the command; `bin/lanctl` is `sh` exec'ing node: node is its only child. */
function nodePid(timeoutPid: number): number {
  const children = readFileSafe(`/proc/${timeoutPid}/task/${timeoutPid}/children`).trim();
  const pid = Number(children.split(/\s+/)[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no child process under ${timeoutPid}`);
  return pid;
}

/** SIGTERM to `timeout` (which passes it on to node), SIGKILL to the group after 10 s. */
function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const signal = (pid: number, s: NodeJS.Signals) => {
      try {
        process.kill(pid, s);
      } catch {
        // already gone
      }
    };
    const force = setTimeout(() => signal(-child.pid!, 'SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    signal(child.pid!, 'SIGTERM');
  });
}

export interface ProcSample {
  /** utime + stime, seconds. */
  cpu_s: number;
  rss_mib: number;
  peak_rss_mib: number;
}

let ticks: number | undefined;

/** USER_HZ, the unit of /proc/<pid>/stat's times (100 on Linux, asked once). */
function clockTicks(): number {
  if (ticks === undefined) {
    const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 });
    ticks = Number(out.trim()) || 100;
  }
  return ticks;
}

/** CPU time so far and memory of a process, from /proc. */
export async function sampleProcess(pid: number): Promise<ProcSample> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  // Fields after the parenthesised command name (which may hold spaces): state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return {
    cpu_s: (utime + stime) / clockTicks(),
    rss_mib: Math.round(kib('VmRSS') / 1024),
    peak_rss_mib: Math.round(kib('VmHWM') / 1024),
  };
}
