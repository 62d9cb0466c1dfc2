import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ensureSigningKeys, issueToken, loadPrivateKey, loadPublicKey } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, loadConfig } from '@lanctl/core';
import { create, mdbConfigSchema } from '@lanctl/mdb';
// By path: the testkit's index also exports vitest helpers, which load only under vitest.
import { createTestDatabase, type PostgresCluster } from '../../packages/testkit/src/postgres.ts';

export type Engine = 'sqlite' | 'postgres';
export type Mode = 'serve' | 'in-process';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The same launcher `/usr/bin/lanctl` links to in production (see install/mdb.md). */
const LANCTL_BIN = join(REPO, 'cli/bin/lanctl');

export interface BenchServer {
  url: string;
  token: string;
  /** Peak resident memory of the server process in MiB (VmHWM), if it can be read. */
  peakRssMiB(): Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts mdb on a fresh database with the production config path: a YAML file read by
 * `lanctl serve mdb --config` (default), or the same `create()` inside this process.
 */
export async function startServer(
  engine: Engine,
  mode: Mode,
  postgres: PostgresCluster | null,
): Promise<BenchServer> {
  const dir = await mkdtemp(join(tmpdir(), 'lanctl-bench-'));
  const keys = { privateKeyFile: join(dir, 'key'), publicKeyFile: join(dir, 'key.pub') };
  ensureSigningKeys(keys);
  const token = issueToken(loadPrivateKey(keys.privateKeyFile), { subject: 'bench', role: 'root' });
  const database =
    engine === 'sqlite'
      ? { url: join(dir, 'mdb.sqlite'), drop: async () => {} }
      : await createTestDatabase(postgres!.url, 'lanctl_bench');
  const configFile = join(dir, 'mdb.yml');
  await writeFile(
    configFile,
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      'sync: { port: 0 }',
      `database: { url: "${database.url}" }`,
      `auth: { public_key_file: "${keys.publicKeyFile}" }`,
      '',
    ].join('\n'),
  );
  const cleanup = async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  };
  let running: Running;
  try {
    running =
      mode === 'serve' ? await serveChild(configFile, dir) : await serveInProcess(configFile);
  } catch (e) {
    await cleanup();
    throw e;
  }
  return {
    url: running.url,
    token,
    peakRssMiB: running.peakRssMiB,
    async stop() {
      await running.stop();
      await cleanup();
    },
  };
}

interface Running {
  url: string;
  peakRssMiB(): Promise<number | null>;
  stop(): Promise<void>;
}

/** `lanctl serve mdb`: the URL comes from its `listening` log line (port 0 resolved). */
async function serveChild(configFile: string, dir: string): Promise<Running> {
  const child = spawn(LANCTL_BIN, ['serve', 'mdb', '--config', configFile], {
    cwd: REPO,
    env: { ...process.env, LANCTL_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(join(dir, 'mdb.log'));
  child.stderr!.pipe(log);
  const url = await listeningUrl(child, log, join(dir, 'mdb.log'));
  return {
    url,
    peakRssMiB: () => peakRss(child.pid!),
    stop: () => stopChild(child),
  };
}

function listeningUrl(child: ChildProcess, log: Writable, logFile: string): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let found = false;
    const timer = setTimeout(() => fail('no "listening" line within 60 s'), 60_000);
    const fail = async (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      const tail = await readFile(logFile, 'utf8').catch(() => '');
      reject(new Error(`lanctl serve mdb: ${why}\n${tail.slice(-2000)}`));
    };
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      if (found) return;
      try {
        const entry = JSON.parse(line) as { message?: string; url?: string };
        if (entry.message === 'listening' && entry.url) {
          found = true;
          clearTimeout(timer);
          resolveUrl(entry.url);
        }
      } catch {
        // not a log line (e.g. a warning from node): kept in the log file only
      }
    });
    child.once('exit', (code, signal) => {
      if (!found) void fail(`exited early (code ${code}, signal ${signal})`);
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** `bin/lanctl` is `sh` exec'ing node, so the pid is node's own. */
async function peakRss(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kib ? Math.round(Number(kib) / 1024) : null;
}

/** The same factory in this process: the load generator then shares the event loop. */
async function serveInProcess(configFile: string): Promise<Running> {
  const config = loadConfig('mdb', mdbConfigSchema, { path: configFile, env: {} });
  // Access log lines are formatted as in production but not printed.
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  const service = create(config, {
    logger: createLogger('mdb', { stream: sink }),
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    publicKey: loadPublicKey(config.auth.public_key_file),
  });
  const listening = await service.start();
  return {
    url: listening.url,
    peakRssMiB: () => peakRss(process.pid),
    stop: () => service.stop(),
  };
}
