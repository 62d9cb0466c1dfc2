/**
 * Helpers for the mdb system tests: signing keys and tokens, `lanctl serve mdb` as a child
 * process on port 0, a plain node:http client (fetch would fix up bodies we want broken), and
 * IPv4 arithmetic for "the lowest N host addresses of a pool".
 *
 * Relative imports: the root package.json lists no workspace packages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  ensureSigningKeys,
  issueToken,
  loadPrivateKey,
  loadPublicKey,
} from '../../packages/auth/src/index.ts';
import { formatIpv4, parseIpv4 } from '../../packages/model/src/index.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Keys {
  publicKeyFile: string;
  publicKey: KeyObject;
  root: string;
  reader: string;
  /** A well-formed root token signed by a key mdb does not trust. */
  foreign: string;
  /** A root token signed by the right key that expired an hour ago. */
  expired: string;
}

export function makeKeys(dir: string): Keys {
  const files = {
    privateKeyFile: join(dir, 'signing.key'),
    publicKeyFile: join(dir, 'signing.pub'),
  };
  const other = { privateKeyFile: join(dir, 'other.key'), publicKeyFile: join(dir, 'other.pub') };
  ensureSigningKeys(files);
  ensureSigningKeys(other);
  const key = loadPrivateKey(files.privateKeyFile);
  return {
    publicKeyFile: files.publicKeyFile,
    publicKey: loadPublicKey(files.publicKeyFile),
    root: issueToken(key, { subject: 't', role: 'root' }),
    reader: issueToken(key, { subject: 'r', role: 'reader' }),
    foreign: issueToken(loadPrivateKey(other.privateKeyFile), { subject: 't', role: 'root' }),
    expired: issueToken(key, {
      subject: 't',
      role: 'root',
      ttlSeconds: 60,
      now: new Date(Date.now() - 3600_000),
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// `lanctl serve mdb` as a child process

export interface MdbProcess {
  url: string;
  child: ChildProcess;
  /** Resolves once the process is gone, with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every stdout and stderr line so far (JSON log lines on stdout). */
  lines(): string[];
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Writes `<dir>/<name>.yml` and starts mdb on it; resolves with the URL from the "listening" line. */
export async function spawnMdb(options: {
  dir: string;
  name: string;
  databaseUrl: string;
  publicKeyFile: string;
  timeoutMs?: number;
}): Promise<MdbProcess> {
  const configFile = join(options.dir, `${options.name}.yml`);
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    sync: { port: 0 },
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
    ['--import', 'tsx', 'cli/src/main.ts', 'serve', 'mdb', '--config', configFile],
    {
      cwd: REPO_ROOT,
      env: { ...env, LANCTL_LOG_LEVEL: 'info' },
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
  const url = new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mdb ${options.name} did not listen in time:\n${lines.join('\n')}`));
    }, options.timeoutMs ?? 30_000);
    createInterface({ input: child.stderr! }).on('line', (line) => lines.push(`stderr: ${line}`));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const entry = parseJson(line) as { message?: string; url?: string } | undefined;
      if (entry?.message === 'listening' && typeof entry.url === 'string') {
        clearTimeout(timer);
        resolveUrl(entry.url);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`mdb ${options.name} exited (${code ?? signal}):\n${lines.join('\n')}`));
    });
  });
  return { url: await url, child, exited, lines: () => lines };
}

/** SIGKILLs one mdb process (if still running) and waits until it is gone. */
export async function killMdb(mdb: MdbProcess): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// HTTP

export interface Reply {
  status: number;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: any;
  text: string;
}

export interface CallOptions {
  method?: string;
  token?: string;
  /** Serialized with content-type application/json. */
  json?: unknown;
  /** Sent as is; set headers yourself. */
  raw?: Buffer | string;
  headers?: Record<string, string>;
  /** Send the raw body in chunks without a content-length (chunked transfer encoding). */
  chunked?: boolean;
  timeoutMs?: number;
}

/** One request on its own connection (no keep-alive pool shared with a killed server). */
export function call(base: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: Buffer | undefined;
  if (options.json !== undefined) {
    body = Buffer.from(JSON.stringify(options.json));
    headers['content-type'] ??= 'application/json';
  } else if (options.raw !== undefined) {
    body = Buffer.isBuffer(options.raw) ? options.raw : Buffer.from(options.raw);
  }
  if (body && !options.chunked) headers['content-length'] = String(body.length);
  return new Promise((done, fail) => {
    let answered = false;
    const req = httpRequest(
      new URL(path, base),
      { method: options.method ?? 'GET', headers, agent: false },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          done({ status: res.statusCode ?? 0, body: parseJson(text), text });
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 20_000, () => req.destroy(new Error('request timed out')));
    // The server may answer (413) and close before the whole body went out: keep its answer.
    req.on('error', (err) => {
      if (!answered) fail(err);
    });
    if (body && options.chunked) {
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

/**
 * Writes `head` + `body` byte for byte on a fresh socket and parses the first response, for
 * bodies whose content-length lies. `rest` goes out once the first answer bytes came back;
 * `halfClose` ends the sending side right after `body`.
 */
export function rawExchange(
  base: string,
  head: string,
  body: Buffer,
  options: { rest?: Buffer; halfClose?: boolean } = {},
): Promise<Reply> {
  const { hostname, port } = new URL(base);
  return new Promise((done, fail) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('raw exchange timed out')), 20_000);
    socket.on('connect', () => {
      socket.write(Buffer.concat([Buffer.from(head), body]));
      if (options.halfClose) socket.end();
    });
    socket.on('data', (c: Buffer) => {
      if (chunks.length === 0 && options.rest) socket.write(options.rest);
      chunks.push(c);
    });
    socket.on('error', (err) => {
      if (chunks.length === 0) fail(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      done(parseFirstResponse(Buffer.concat(chunks)));
    });
  });
}

function parseFirstResponse(data: Buffer): Reply {
  const text = data.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
  const bodyText = split < 0 ? '' : data.subarray(split + 4, split + 4 + length).toString('utf8');
  return { status, body: parseJson(bodyText), text: bodyText };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Machines and addresses

/** A locally administered MAC unique per (prefix byte, index). */
export function macFor(prefix: number, i: number): string {
  const bytes = [0x02, prefix, (i >>> 16) & 255, (i >>> 8) & 255, i & 255, 0x5a];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * The lowest `count` host addresses of `network` (not network, broadcast or reserved), as
 * dotted quads in ascending order.
 */
export function lowestHosts(network: string, reserved: string[], count: number): string[] {
  const [addr, len] = network.split('/') as [string, string];
  const base = parseIpv4(addr)!;
  const broadcast = base + 2 ** (32 - Number(len)) - 1;
  const excluded = reserved.map((r) => {
    const [from, to] = r.split('-') as [string, string | undefined];
    return [parseIpv4(from)!, parseIpv4(to ?? from)!] as const;
  });
  const out: string[] = [];
  for (let ip = base + 1; ip < broadcast && out.length < count; ip++) {
    if (!excluded.some(([from, to]) => ip >= from && ip <= to)) out.push(formatIpv4(ip));
  }
  return out;
}

export const byIp = (a: string, b: string) => parseIpv4(a)! - parseIpv4(b)!;

/** Resolves when `check` holds, polling every few ms; throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 3));
  }
}
