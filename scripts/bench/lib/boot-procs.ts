/** Child processes of `pnpm bench:boot`: our file server, nginx, the client processes, RSS. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Download } from './boot-client.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const TSX = `file://${join(REPO, 'node_modules/tsx/dist/loader.mjs')}`;

export interface Served {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Every child is bounded: killed after `ms` whatever happens. */
function bounded(child: ChildProcess, ms: number): void {
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(hard);
      done();
    });
    child.kill('SIGTERM');
  });
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      ok(line);
    });
    child.once('exit', (code) => fail(new Error(`${what} exited (${code}) before its first line`)));
  });
}

/** Our boot-file router in the common express app, in a child process. */
export async function startOurs(root: string, max: string, chunkKiB: number): Promise<Served> {
  const script = join(REPO, 'scripts/bench/lib/boot-server.ts');
  const args = ['--import', TSX, script, '--root', root, '--max', max];
  const child = spawn(process.execPath, [...args, '--chunk-kib', String(chunkKiB)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  bounded(child, 600_000);
  const { url } = JSON.parse(await firstLine(child, 'boot-server')) as { url: string };
  return { url: `${url}/files/bench`, pid: child.pid!, stop: () => stopChild(child) };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, '127.0.0.1', () => {
        c.end();
        r(true);
      });
      c.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * nginx, sendfile on, serving `root` from a temp prefix: one process (`master_process off`)
 * with `workers` 1, else a master and that many workers (RSS is then the master's + workers').
 */
export async function startNginx(prefix: string, root: string, workers: number): Promise<Served> {
  const port = await freePort();
  await mkdir(join(prefix, 'logs'), { recursive: true });
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `${t}_temp_path ${join(prefix, t)};`)
    .join(' ');
  const conf = join(prefix, 'nginx.conf');
  await writeFile(
    conf,
    `daemon off; master_process ${workers > 1 ? 'on' : 'off'}; worker_processes ${workers};
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'logs/error.log')} warn;
events { worker_connections 4096; }
http { access_log off; sendfile on; tcp_nopush on; ${temp}
  default_type application/octet-stream;
  server { listen 127.0.0.1:${port}; root ${root}; location / { } } }
`,
  );
  const child = spawn('nginx', ['-p', prefix, '-e', join(prefix, 'logs/error.log'), '-c', conf], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  bounded(child, 600_000);
  await waitForPort(port, 10_000);
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child) };
}

/** `count` downloads split over `procs` client processes, started together. */
export async function runClients(url: string, count: number, procs: number): Promise<Download[]> {
  const script = join(REPO, 'scripts/bench/lib/boot-client.ts');
  const runs = Array.from({ length: procs }, (_, i) => {
    const n = Math.floor(count / procs) + (i < count % procs ? 1 : 0);
    const child = spawn(
      process.execPath,
      ['--import', TSX, script, '--url', url, '--count', String(n), '--hash', '1'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    bounded(child, 300_000);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    return new Promise<Download[]>((ok, fail) =>
      child.once('close', (code) =>
        code === 0 ? ok(JSON.parse(out) as Download[]) : fail(new Error(`client exited ${code}`)),
      ),
    );
  });
  return (await Promise.all(runs)).flat();
}

/** A process and its children (nginx's workers). */
function family(pid: number): number[] {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return [pid, ...(kids ? kids.split(/\s+/).map(Number) : [])];
  } catch {
    return [pid];
  }
}

/** `field` (kB) of /proc/<pid>/status summed over the process and its children, in MiB. */
function statusMiB(pid: number, field: string): number {
  let kB = 0;
  for (const p of family(pid)) {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
        readFileSync(`/proc/${p}/status`, 'utf8'),
      );
      kB += m ? Number(m[1]) : 0;
    } catch {
      // gone meanwhile
    }
  }
  return kB / 1024;
}

/** VmRSS sampled every 100 ms and VmHWM at the end (summed over children), in MiB. */
export function sampleRss(pid: number): { stop(): { peakMiB: number; hwmMiB: number } } {
  let peak = statusMiB(pid, 'VmRSS');
  const timer = setInterval(() => {
    peak = Math.max(peak, statusMiB(pid, 'VmRSS'));
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return { peakMiB: Math.max(peak, statusMiB(pid, 'VmRSS')), hwmMiB: statusMiB(pid, 'VmHWM') };
    },
  };
}

/** `count` curl processes started together (`-o /dev/null`), the first saving its body to hash. */
export async function runCurl(url: string, count: number, saveTo: string): Promise<Download[]> {
  const one = (i: number) =>
    new Promise<Download>((ok) => {
      const start = Date.now();
      const out = i === 0 ? saveTo : '/dev/null';
      const child = spawn(
        'curl',
        ['-sS', '--max-time', '300', '-o', out, '-w', '%{http_code} %{size_download}', url],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      bounded(child, 310_000);
      let text = '';
      let err = '';
      child.stdout!.on('data', (c: Buffer) => {
        text += c.toString();
      });
      child.stderr!.on('data', (c: Buffer) => {
        err += c.toString();
      });
      child.once('close', (code) => {
        const [status = '0', bytes = '0'] = text.trim().split(' ');
        const d: Download = {
          start,
          end: Date.now(),
          status: Number(status),
          bytes: Number(bytes),
        };
        ok(code === 0 ? d : { ...d, error: `curl exit ${code}: ${err.trim()}` });
      });
    });
  return Promise.all(Array.from({ length: count }, (_, i) => one(i)));
}

/** CPU seconds (user + system) used so far by a process and its children (nginx's workers). */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of family(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}
