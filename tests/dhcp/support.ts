/**
 * Helpers of the DHCP tests: `lanctl serve dhcp` in the server namespace of a throwaway LAN,
 * real clients (dhclient, udhcpc, perfdhcp) in client namespaces, all bounded by timeouts, and
 * the scripted probe (probe.ts) for relayed and crafted requests.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NetnsProcess, TestLan } from '../../packages/testkit/src/index.ts';

export { dhclient, setMac, udhcpc } from '../../packages/testkit/src/index.ts';

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
