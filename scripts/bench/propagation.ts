/**
 * Propagation: how long after an mdb API write the next DHCP answer and the next DNS answer
 * reflect it. mdb (SQLite, `lanctl serve mdb`) runs in this namespace; our DHCP and DNS servers
 * (`lanctl serve dhcp|dns`) run in a server namespace and follow mdb's sync port over the
 * uplink; a probe process (lib/probe.ts) in a client namespace on br0 asks them.
 *
 *   pnpm bench:propagation [--writes 200] [--interval-ms 1] [--pause-ms 20] [--op create|move]
 *
 * Each write creates a machine with a new MAC, hostname and address (`--op create`, POST
 * /api/v1/machines), or gives one machine a new address (`--op move`, PATCH). The moment the
 * request is sent the probe starts asking, every `--interval-ms`: DNS, an A query for
 * `<hostname>.prolo` until the answer holds the address; DHCP, a DISCOVER for the MAC until
 * the OFFER carries the fixed address (before, the MAC is an alien or has its old address).
 * Delays run from the request's start to the first matching answer; the API's own response
 * time is shown too. Root only; the namespaces and every child go away on exit and on Ctrl-C.
 * Root only; the namespaces and every child go away on exit and on Ctrl-C.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ensureSigningKeys, issueToken, loadPrivateKey } from '@lanctl/auth';
import type { TestLan } from '../../packages/testkit/src/netns.ts';
import { percentile, round } from './http.ts';
import { dhcpConfig, dnsConfig, mdbConfig, writeConfig } from './lib/configs.ts';
import { benchLan, type Served, serveIn } from './lib/lan.ts';
import { REPO } from './server.ts';

const SERVER_IP = '192.168.1.254';
const PROBE_IP = '192.168.1.200';
const ANSWER_DEADLINE_MS = 10_000;
const now = () => performance.timeOrigin + performance.now();

interface Options {
  writes: number;
  intervalMs: number;
  pauseMs: number;
  op: 'create' | 'move';
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      writes: { type: 'string', default: '200' },
      'interval-ms': { type: 'string', default: '1' },
      'pause-ms': { type: 'string', default: '20' },
      op: { type: 'string', default: 'create' },
    },
  });
  const int = (name: string, raw: string, min: number, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name}: ${min}..${max}, got ${raw}`);
    return n;
  };
  if (values.op !== 'create' && values.op !== 'move')
    throw new Error(`--op: create or move, got ${values.op}`);
  return {
    op: values.op,
    // One /24 of fixed addresses (192.168.0.10 up).
    writes: int('writes', values.writes, 1, 240),
    intervalMs: int('interval-ms', values['interval-ms'], 1, 100),
    pauseMs: int('pause-ms', values['pause-ms'], 0, 10_000),
  };
}

// ---- the servers ----

interface Servers {
  api: string;
  rootToken: string;
  stop(): Promise<void>;
}

/** SADM's DHCP plan: users and services share a /23 routed by .1.254; aliens get .250.x. */
function sadmDhcp(dir: string, upstream: string, tokenFile: string, publicKeyFile: string) {
  const lanSubnet = (name: string, network: string) => ({
    name,
    network,
    netmask: '255.255.254.0',
    router: SERVER_IP,
  });
  return dhcpConfig({
    dir,
    serverIp: SERVER_IP,
    leaseSeconds: 14_400,
    subnets: [
      lanSubnet('users', '192.168.0.0/24'),
      lanSubnet('services', '192.168.1.0/24'),
      {
        name: 'aliens',
        network: '192.168.250.0/24',
        router: '192.168.250.254',
        dynamic: { from: '192.168.250.1', to: '192.168.250.200', lease_seconds: 30 },
      },
    ],
    upstream,
    tokenFile,
    publicKeyFile,
  });
}

async function startServers(lan: TestLan, dir: string, budgetS: number): Promise<Servers> {
  const keys = { privateKeyFile: join(dir, 'key'), publicKeyFile: join(dir, 'key.pub') };
  ensureSigningKeys(keys);
  const privateKey = loadPrivateKey(keys.privateKeyFile);
  const tokenFile = join(dir, 'reader.token');
  await writeFile(tokenFile, issueToken(privateKey, { subject: 'bench-consumer', role: 'reader' }));
  const served: Served[] = [];
  const serve = async (name: string, ns: string | null, config: object) => {
    const s = await serveIn(lan, ns, {
      name,
      configFile: writeConfig(dir, name, config),
      dir,
      timeoutS: budgetS,
    });
    served.push(s);
    return s;
  };
  try {
    const mdb = await serve(
      'mdb',
      null,
      mdbConfig({ dir, host: lan.uplink.host, publicKeyFile: keys.publicKeyFile }),
    );
    const upstream = String(mdb.listening.sync_url);
    await serve('dhcp', lan.server, sadmDhcp(dir, upstream, tokenFile, keys.publicKeyFile));
    await serve('dns', lan.server, dnsConfig({ dir, serverIp: SERVER_IP, upstream, tokenFile }));
    return {
      api: String(mdb.listening.url),
      rootToken: issueToken(privateKey, { subject: 'bench', role: 'root' }),
      stop: async () => {
        for (const s of served.reverse()) await s.stop();
      },
    };
  } catch (error) {
    for (const s of served.reverse()) await s.stop();
    throw error;
  }
}

// ---- the probe (in the client namespace) ----

interface Probe {
  /** Resolves with the epoch ms of the first answer carrying `expect`. */
  ask(
    job:
      | { kind: 'dns'; name: string; expect: string }
      | { kind: 'dhcp'; mac: string; expect: string },
  ): Promise<number>;
  stop(): Promise<void>;
}

async function startProbe(lan: TestLan, options: Options, budgetS: number): Promise<Probe> {
  const client = lan.clients[0]!;
  lan.exec(client, ['ip', 'addr', 'add', `${PROBE_IP}/23`, 'dev', 'eth0']);
  lan.exec(client, ['ip', 'route', 'add', '255.255.255.255', 'dev', 'eth0']);
  const child: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      client,
      'timeout',
      String(budgetS),
      join(REPO, 'node_modules/.bin/tsx'),
      join(REPO, 'scripts/bench/lib/probe.ts'),
      String(options.intervalMs),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const waiting = new Map<number, { resolve(at: number): void; reject(e: Error): void }>();
  let ready: () => void;
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line) as { ready?: true; id?: number; at?: number; error?: string };
    if (message.ready) return ready();
    const entry = waiting.get(message.id ?? -1);
    waiting.delete(message.id ?? -1);
    if (message.error) entry?.reject(new Error(message.error));
    else entry?.resolve(message.at!);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await Promise.race([
    isReady,
    exited.then(() => {
      throw new Error('the probe exited before it was ready');
    }),
  ]);
  let nextId = 0;
  return {
    ask: (job) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        const server = SERVER_IP;
        child.stdin!.write(
          `${JSON.stringify({ id, server, timeoutMs: ANSWER_DEADLINE_MS, ...job })}\n`,
        );
      }),
    stop: async () => {
      child.stdin!.end();
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    },
  };
}

// ---- the measurement ----

interface Sample {
  api: number;
  dhcp: number;
  dns: number;
}

interface Write {
  method: 'POST' | 'PATCH';
  path: string;
  body: object;
  /** What the answers must show once the write is applied. */
  machine: { hostname: string; mac: string; ip: string };
}

const MOVED = { hostname: 'prop-moved', mac: '02:42:00:01:00:00', ip: '192.168.0.250' };

/** Write `i`: create machine `prop-<i>`, or move `prop-moved` to another address. */
function write(i: number, op: Options['op']): Write {
  const ip = `192.168.0.${10 + (i % 240)}`;
  if (op === 'move') {
    return {
      method: 'PATCH',
      path: `/api/v1/machines/${MOVED.hostname}`,
      body: { ip },
      machine: { ...MOVED, ip },
    };
  }
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const machine = { hostname: `prop-${i}`, mac: `02:42:00:00:${hex(i >> 8)}:${hex(i & 255)}`, ip };
  const body = { ...machine, mtype: 'user', room: 'pasteur' };
  return { method: 'POST', path: '/api/v1/machines', body, machine };
}

/** Sends the write and asks DHCP and DNS at once; delays from the moment the request left. */
async function timed(servers: Servers, probe: Probe, w: Write): Promise<Sample> {
  const t0 = now();
  const api = fetch(`${servers.api}${w.path}`, {
    method: w.method,
    headers: { authorization: `Bearer ${servers.rootToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(w.body),
  }).then(async (res) => {
    if (!res.ok) throw new Error(`${w.method} ${w.path}: ${res.status} ${await res.text()}`);
    return now();
  });
  const { hostname, mac, ip } = w.machine;
  const [apiAt, dhcpAt, dnsAt] = await Promise.all([
    api,
    probe.ask({ kind: 'dhcp', mac, expect: ip }),
    probe.ask({ kind: 'dns', name: `${hostname}.prolo`, expect: ip }),
  ]);
  return { api: apiAt - t0, dhcp: dhcpAt - t0, dns: dnsAt - t0 };
}

async function measure(servers: Servers, probe: Probe, options: Options): Promise<Sample[]> {
  if (options.op === 'move') {
    const body = { ...MOVED, mtype: 'user', room: 'pasteur' };
    await timed(servers, probe, { method: 'POST', path: '/api/v1/machines', body, machine: MOVED });
  }
  const samples: Sample[] = [];
  for (let i = 0; i < options.writes; i++) {
    samples.push(await timed(servers, probe, write(i, options.op)));
    if (i % 50 === 49) process.stderr.write(`${i + 1}/${options.writes} writes\n`);
    await new Promise((r) => setTimeout(r, options.pauseMs));
  }
  return samples;
}

function report(samples: Sample[], options: Options): void {
  console.log(
    `${samples.length} ${options.op === 'create' ? 'machine creations (POST)' : 'address changes (PATCH)'}, queries every ${options.intervalMs} ms, ${options.pauseMs} ms between writes`,
  );
  console.log('             p50 ms   p90 ms   p99 ms   max ms');
  for (const key of ['api', 'dhcp', 'dns'] as const) {
    const sorted = Float64Array.from(samples.map((s) => s[key])).sort();
    const cells = [0.5, 0.9, 0.99].map((q) => round(percentile(sorted, q), 1));
    cells.push(round(sorted[sorted.length - 1]!, 1));
    const label = { api: 'API reply', dhcp: 'DHCP OFFER', dns: 'DNS A' }[key];
    console.log(`${label.padEnd(11)}${cells.map((c) => String(c).padStart(9)).join('')}`);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const budgetS = 120 + Math.ceil((options.writes * (options.pauseMs + 200)) / 1000);
  const dir = await mkdtemp(join(tmpdir(), 'lanctl-bench-propagation-'));
  const lan = benchLan({
    clients: 1,
    bridgeAddresses: [`${SERVER_IP}/23`, '192.168.250.254/24'],
  });
  let samples: Sample[] = [];
  try {
    lan.addBroadcastRoute();
    const servers = await startServers(lan, dir, budgetS);
    const probe = await startProbe(lan, options, budgetS);
    try {
      samples = await measure(servers, probe, options);
    } finally {
      await probe.stop();
      await servers.stop();
    }
  } finally {
    await lan.close();
  }
  await rm(dir, { recursive: true, force: true });
  report(samples, options);
}

await main();
