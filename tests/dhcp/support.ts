/**
 * Helpers of the DHCP tests: `lanctl serve dhcp` in the server namespace of a throwaway LAN,
 * real clients (dhclient, udhcpc, perfdhcp) in client namespaces, all bounded by timeouts, and
 * the scripted probe (probe.ts) for relayed and crafted requests.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NetnsProcess, type TestLan, waitFor } from '../../packages/testkit/src/index.ts';
import { jsonLines, waitForLine } from '../../scripts/bench/lib/log-lines.ts';
import type { ProbeReply, ProbeRequest } from './probe.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LANCTL = join(ROOT, 'cli/bin/lanctl');
const TSX = join(ROOT, 'node_modules/tsx/dist/loader.mjs');

export interface DhcpDaemon {
  process: NetnsProcess;
  http: string;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  get(path: string, token?: string): Promise<{ status: number; body: any }>;
  logs(): Record<string, unknown>[];
}

/** `lanctl serve dhcp --config DIR/dhcp.yml` in the server namespace (killed after 300 s). */
export async function startDhcp(lan: TestLan, dir: string, config: object): Promise<DhcpDaemon> {
  const file = join(dir, 'dhcp.yml');
  writeFileSync(file, JSON.stringify(config));
  const child = lan.spawn(lan.server, [
    'timeout',
    '-s',
    'KILL',
    '300',
    LANCTL,
    'serve',
    'dhcp',
    '--config',
    file,
  ]);
  const entry = await waitForLine(child, 30_000, (e) =>
    e.message === 'dhcp listening' ? e : undefined,
  );
  const http = String(entry.http);
  const get = async (path: string, token?: string) => {
    const res = await fetchOnce(`${http}${path}`, token);
    return { status: res.status, body: await res.json() };
  };
  return {
    process: child,
    http,
    get,
    logs: () => jsonLines(child),
    async metric(name, labels = {}) {
      const text = await (await fetchOnce(`${http}/metrics`)).text();
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      const line = text
        .split('\n')
        .find(
          (l) =>
            (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) &&
            want.every((w) => l.includes(w)),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    },
  };
}

/**
 * fetch, retried once: a pooled keep-alive connection the server closed after its idle timeout
 * (5 s, while perfdhcp ran) fails the first request on it with "other side closed".
 */
export async function fetchOnce(url: string, token?: string): Promise<Response> {
  const init: RequestInit = { headers: token ? { authorization: `Bearer ${token}` } : {} };
  try {
    return await fetch(url, init);
  } catch {
    return fetch(url, init);
  }
}

export function setMac(lan: TestLan, ns: string, mac: string): void {
  lan.exec(ns, ['ip', 'link', 'set', 'eth0', 'down']);
  lan.exec(ns, ['ip', 'link', 'set', 'eth0', 'address', mac]);
  lan.exec(ns, ['ip', 'link', 'set', 'eth0', 'up']);
}

/** A client hook script that appends `$1` (or $reason) and the whole environment to `out`. */
function hookScript(dir: string, name: string, out: string): string {
  const path = join(dir, name);
  // One write per block, ended by a line `===.` (a reader may look while the hook runs).
  writeFileSync(
    path,
    `#!/bin/sh\nblock=$({ echo "=== \${1:-$reason}"; env; echo "===."; })\necho "$block" >> ${out}\nexit 0\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** Parses the last block of a hook's output whose event is one of `events`. */
function lastBlock(text: string, events: string[]): Record<string, string> | null {
  const complete = text.slice(0, text.lastIndexOf('===.\n') + 1);
  const blocks = complete.split('=== ').slice(1);
  for (const block of blocks.reverse()) {
    const [event, ...lines] = block.split('\n');
    if (!events.includes(event!.trim())) continue;
    const env: Record<string, string> = { event: event!.trim() };
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
    }
    return env;
  }
  return null;
}

let runs = 0;

/** udhcpc in `ns`: one lease then exit (-q), 5 tries of 1 s; the env its script saw at `bound`. */
export function udhcpc(lan: TestLan, ns: string, dir: string, extra: string[] = []) {
  const out = join(dir, `udhcpc-${runs++}.env`);
  writeFileSync(out, '');
  const script = hookScript(dir, `udhcpc-${runs}.sh`, out);
  const argv = [
    'timeout',
    '20',
    'udhcpc',
    '-i',
    'eth0',
    '-f',
    '-q',
    '-n',
    '-t',
    '5',
    '-T',
    '1',
    '-A',
    '1',
    '-s',
    script,
    ...extra,
  ];
  lan.exec(ns, argv, { timeoutMs: 25_000 });
  return lastBlock(readFileSync(out, 'utf8'), ['bound']);
}

/**
 * dhclient in `ns`, in the foreground (-d, so it stays ours to kill) with a script that only
 * records (no interface change), starting from `lease` if given (a lease file, as after a
 * reboot); resolves once it is bound, with its lease file and the hook events it ran.
 */
export async function dhclient(lan: TestLan, ns: string, dir: string, lease = '') {
  const id = runs++;
  const out = join(dir, `dhclient-${id}.env`);
  const leaseFile = join(dir, `dhclient-${id}.leases`);
  const conf = join(dir, `dhclient-${id}.conf`);
  writeFileSync(out, '');
  writeFileSync(leaseFile, lease);
  writeFileSync(
    conf,
    'request subnet-mask, routers, domain-name, domain-name-servers, host-name;\n',
  );
  const script = hookScript(dir, `dhclient-${id}.sh`, out);
  const pidFile = join(dir, `dhclient-${id}.pid`);
  const argv = [
    'dhclient',
    '-d',
    '-1',
    '-v',
    '-cf',
    conf,
    '-lf',
    leaseFile,
    '-pf',
    pidFile,
    '-sf',
    script,
    'eth0',
  ];
  const child = lan.spawn(ns, ['timeout', '20', ...argv]);
  const bound = () => lastBlock(readFileSync(out, 'utf8'), ['BOUND', 'REBOOT', 'RENEW']);
  try {
    await waitFor(
      () => bound() !== null || child.child.exitCode !== null,
      'dhclient bound',
      20_000,
    );
  } finally {
    await child.kill('SIGKILL');
  }
  return {
    env: bound(),
    leases: readFileSync(leaseFile, 'utf8'),
    output: child.output(),
    events: readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('=== '))
      .map((l) => l.slice(4)),
  };
}

/** Sends one crafted request from `ns` (probe.ts) and returns the replies seen within waitMs. */
export function probe(lan: TestLan, ns: string, request: ProbeRequest): ProbeReply[] {
  const out = lan.exec(
    ns,
    [
      'timeout',
      '20',
      process.execPath,
      '--import',
      `file://${TSX}`,
      join(ROOT, 'tests/dhcp/probe.ts'),
      JSON.stringify(request),
    ],
    {
      timeoutMs: 25_000,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as ProbeReply[];
}
