/**
 * Helpers for the sync system tests: `lanctl serve mdb` as a child process with its sync port and
 * sync settings under the test's control, and the truth the subscribers are compared with (a
 * fresh stream's snapshot, the API's listing, the change log). Subscribers: subscriber.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Database, openDatabase } from '@lanctl/db';
import type { SnapshotItem } from '@lanctl/sync';
import { callJson, openStream, waitFor } from '@lanctl/testkit';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

// ---------------------------------------------------------------------------------------------
// `lanctl serve mdb` as a child process

export interface MdbChild {
  name: string;
  url: string;
  syncUrl: string;
  syncPort: number;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every stdout and stderr line so far (JSON log lines on stdout). */
  lines(): string[];
}

export interface SpawnOptions {
  dir: string;
  name: string;
  databaseUrl: string;
  publicKeyFile: string;
  /** The sync port: 0 (default) for any, or the one a killed predecessor had. */
  syncPort?: number;
  /** More `sync:` settings (poll_ms, max_buffer_bytes, ...). */
  sync?: Record<string, unknown>;
  timeoutMs?: number;
  /** More environment variables for the process. */
  env?: Record<string, string>;
  /** Options for node itself (e.g. `--cpu-prof` when investigating). */
  nodeArgs?: string[];
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Writes `<dir>/<name>.yml` and starts mdb on it; resolves once its "listening" line is out. */
export async function spawnMdb(options: SpawnOptions): Promise<MdbChild> {
  const configFile = join(options.dir, `${options.name}.yml`);
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    sync: { port: options.syncPort ?? 0, ...options.sync },
    database: { url: options.databaseUrl },
    auth: { public_key_file: options.publicKeyFile, public_read: false },
  };
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`); // JSON is YAML
  // No inherited LANCTL_MDB_* override may change what this test configured.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('LANCTL_MDB_')),
  );
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--import',
      'tsx',
      'cli/src/main.ts',
      'serve',
      'mdb',
      '--config',
      configFile,
    ],
    {
      cwd: REPO_ROOT,
      env: { ...env, LANCTL_LOG_LEVEL: 'info', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      done({ code, signal });
    });
  });
  const urls = new Promise<{ url: string; syncUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mdb ${options.name} did not listen in time:\n${lines.join('\n')}`));
    }, options.timeoutMs ?? 30_000);
    createInterface({ input: child.stderr! }).on('line', (line) => lines.push(`stderr: ${line}`));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const entry = parseJson(line) as { message?: string; url?: string; sync_url?: string };
      if (entry?.message === 'listening' && entry.url && entry.sync_url) {
        clearTimeout(timer);
        resolve({ url: entry.url, syncUrl: entry.sync_url });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`mdb ${options.name} exited (${code ?? signal}):\n${lines.join('\n')}`));
    });
  });
  const { url, syncUrl } = await urls;
  const syncPort = Number(new URL(syncUrl).port);
  return { name: options.name, url, syncUrl, syncPort, child, exited, lines: () => lines };
}

/** SIGKILLs one mdb (if still running) and waits until it is gone. */
export async function killMdb(mdb: MdbChild): Promise<void> {
  if (mdb.child.exitCode === null && mdb.child.signalCode === null) mdb.child.kill('SIGKILL');
  await mdb.exited;
}

/** SIGKILLs every child still running and waits until each is gone (afterAll). */
export async function killAllMdb(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Resident memory of a process in bytes, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

// ---------------------------------------------------------------------------------------------
// The truth to compare with

/** JSON with object keys sorted, so equal records give equal text whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A digest of a state keyed by row id. */
export function stateDigest(state: ReadonlyMap<string, unknown>): string {
  const entries = [...state].sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(canonical(entries)).digest('hex').slice(0, 16);
}

/** A digest of records regardless of ids (ordered by hostname): comparable with the API list. */
export function recordsDigest(records: Iterable<unknown>): string {
  const sorted = [...records]
    .map((r) => canonical(r))
    .sort((a, b) => (JSON.parse(a).hostname < JSON.parse(b).hostname ? -1 : 1));
  return createHash('sha256').update(sorted.join('\n')).digest('hex').slice(0, 16);
}

/** What a fresh subscriber of `machines` is given: the snapshot of a new stream. */
export async function freshSnapshot(
  syncUrl: string,
  token: string,
): Promise<{ revision: number; state: Map<string, unknown> }> {
  const stream = await openStream(`${syncUrl}/api/v1/sync/machines`, token);
  try {
    if (stream.status !== 200) throw new Error(`fresh stream answered ${stream.status}`);
    await waitFor(() => stream.events.length > 0, 'the snapshot of a fresh stream', 15_000);
    const first = stream.events[0]!;
    if (first.type !== 'snapshot') throw new Error(`a fresh stream began with ${first.type}`);
    const items = first.data.items as SnapshotItem[];
    return {
      revision: first.data.revision,
      state: new Map(items.map((i) => [i.id, i.record])),
    };
  } finally {
    stream.stop();
  }
}

/** Every machine through `GET /api/v1/machines`, following `next` (bounded). */
export async function listMachines(url: string, token: string): Promise<unknown[]> {
  const out: unknown[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    const query: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const reply = await callJson(
      url,
      'GET',
      `/api/v1/machines?limit=5000${query}`,
      undefined,
      token,
    );
    if (reply.status !== 200) throw new Error(`GET /api/v1/machines: ${reply.status}`);
    out.push(...reply.body.items);
    after = reply.body.next;
    if (after === null) return out;
  }
  throw new Error('GET /api/v1/machines: more than 100 pages');
}

/** Revisions of every `machines` change in the change log, ascending. */
export async function machineRevisions(database: Database): Promise<number[]> {
  const rows = await database.db
    .selectFrom('change_log')
    .select('revision')
    .where('tbl', '=', 'machines')
    .orderBy('revision')
    .execute();
  return rows.map((r) => Number(r.revision));
}

/** Opens a small direct handle on a service's database (close it in the test). */
export function openDirect(url: string): Database {
  return openDatabase(url, { poolSize: 1 });
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
