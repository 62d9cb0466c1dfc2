/**
 * DHCP throughput: Kea 2.2 (`kea-dhcp4`, memfile leases) against ours (`lanctl serve dhcp`), one
 * after the other with the same perfdhcp load, in a throwaway LAN of network namespaces.
 *
 *   pnpm bench:dhcp [--rates 1000,2000,4000,8000,12000,16000] [--clients 10000] [--seconds 10]
 *                   [--targets kea,lanctl] [--lease-time 14400] [--log-level info|warn]
 *                   [--cpu-prof DIR]
 *
 * perfdhcp acts as a relay (giaddr = its address, it binds port 67), so it runs in a client
 * namespace and the servers in the server namespace, both on 10.100.0.0/16 (a 65,000-address
 * pool; `--clients` distinct MACs). At each rate: completed 4-way exchanges per second
 * ("leases/s"), drops of each exchange, and perfdhcp's delays (it reports min/avg/max/std, no
 * percentiles). "Max rate without drops" is the highest offered rate whose drops stay ≤ 0.1 %.
 * Both log at `--log-level` (info: as in production; Kea's INFO logs each lease too).
 * `--cpu-prof DIR` writes a V8 CPU profile of our server there (open it in Chrome DevTools).
 * Root only; every child runs under `timeout`; the namespaces go away on exit and on Ctrl-C.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureSigningKeys, issueToken, loadPrivateKey } from '@lanctl/auth';
import type { TestLan } from '../../packages/testkit/src/netns.ts';
import { dhcpConfig, mdbConfig, writeConfig } from './lib/configs.ts';
import { benchLan, type Served, serveIn, stopProcess } from './lib/lan.ts';

const SERVER_IP = '10.100.0.1';
const RELAY_IP = '10.100.0.2';
const SUBNET = '10.100.0.0/16';
const POOL: [string, string] = ['10.100.1.0', '10.100.254.254'];
/** Offered rates whose drops stay at or under this ratio count as "without drops". */
const DROP_TOLERANCE_PCT = 0.1;

interface Options {
  rates: number[];
  clients: number;
  seconds: number;
  targets: Target[];
  leaseTime: number;
  logLevel: 'info' | 'warn';
  /** Directory for a V8 CPU profile of our server (node --cpu-prof), or null. */
  cpuProf: string | null;
}

type Target = 'kea' | 'lanctl';

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      rates: { type: 'string', default: '1000,2000,4000,8000,12000,16000' },
      clients: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '10' },
      targets: { type: 'string', default: 'kea,lanctl' },
      'lease-time': { type: 'string', default: '14400' },
      'log-level': { type: 'string', default: 'info' },
      'cpu-prof': { type: 'string' },
    },
  });
  const int = (name: string, raw: string, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new Error(`--${name}: 1..${max}, got ${raw}`);
    return n;
  };
  const targets = values.targets.split(',');
  for (const t of targets)
    if (t !== 'kea' && t !== 'lanctl') throw new Error(`--targets: kea and/or lanctl, got ${t}`);
  const logLevel = values['log-level'];
  if (logLevel !== 'info' && logLevel !== 'warn')
    throw new Error(`--log-level: info or warn, got ${logLevel}`);
  return {
    logLevel,
    cpuProf: values['cpu-prof'] ?? null,
    rates: values.rates.split(',').map((r) => int('rates', r, 200_000)),
    clients: int('clients', values.clients, 60_000),
    seconds: int('seconds', values.seconds, 600),
    targets: targets as Target[],
    leaseTime: int('lease-time', values['lease-time'], 1_000_000),
  };
}

// ---- the servers ----

async function startKea(lan: TestLan, dir: string, options: Options): Promise<Served> {
  const conf = {
    Dhcp4: {
      'interfaces-config': { interfaces: ['br0'], 'dhcp-socket-type': 'udp' },
      'lease-database': {
        type: 'memfile',
        persist: true,
        name: join(dir, 'kea-leases.csv'),
        'lfc-interval': 0,
      },
      'valid-lifetime': options.leaseTime,
      subnet4: [{ id: 1, subnet: SUBNET, pools: [{ pool: `${POOL[0]} - ${POOL[1]}` }] }],
      loggers: [
        {
          name: 'kea-dhcp4',
          severity: options.logLevel.toUpperCase(),
          output_options: [{ output: 'stdout' }],
        },
      ],
    },
  };
  const file = join(dir, 'kea.json');
  await writeFile(file, JSON.stringify(conf, null, 2));
  const child = lan.spawn(
    lan.server,
    ['timeout', String(benchBudgetS(options)), 'kea-dhcp4', '-c', file],
    { env: { ...process.env, KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir } },
  );
  // Ready once its socket is bound (at WARN it logs nothing when it starts).
  const bound = () => lan.exec(lan.server, ['ss', '-Hlun', 'sport = :67']).includes(':67');
  const deadline = Date.now() + 20_000;
  while (!bound()) {
    if (child.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`kea-dhcp4 did not start:\n${child.output()}`);
    await sleep(50);
  }
  return { process: child, listening: {}, stop: () => stopProcess(child) };
}

/** A fixed port is safe: the address is the uplink's end in the bench's own namespace. */
const DHCP_HTTP_PORT = 20040;

/**
 * Ours, with the subnet as a dynamic range, following an mdb (`lanctl serve mdb` here, on the
 * uplink) whose machine table is empty: every perfdhcp MAC is unknown. Ready when /healthz says
 * it has the table (it answers nobody before).
 */
async function startLanctl(lan: TestLan, dir: string, options: Options): Promise<Served> {
  const keys = { privateKeyFile: join(dir, 'key'), publicKeyFile: join(dir, 'key.pub') };
  ensureSigningKeys(keys);
  const tokenFile = join(dir, 'dhcp.token');
  await writeFile(
    tokenFile,
    issueToken(loadPrivateKey(keys.privateKeyFile), { subject: 'dhcp', role: 'reader' }),
  );
  const timeoutS = benchBudgetS(options);
  const mdb = await serveIn(lan, null, {
    name: 'mdb',
    configFile: writeConfig(
      dir,
      'mdb',
      mdbConfig({ dir, host: lan.uplink.host, publicKeyFile: keys.publicKeyFile }),
    ),
    dir,
    timeoutS,
  });
  const config = dhcpConfig({
    dir,
    serverIp: SERVER_IP,
    leaseSeconds: options.leaseTime,
    subnets: [
      {
        name: 'bench',
        network: SUBNET,
        router: SERVER_IP,
        dynamic: { from: POOL[0], to: POOL[1], lease_seconds: options.leaseTime },
      },
    ],
    upstream: String(mdb.listening.sync_url),
    tokenFile,
    publicKeyFile: keys.publicKeyFile,
    http: { host: lan.uplink.ns, port: DHCP_HTTP_PORT },
  });
  const dhcp = await serveIn(lan, lan.server, {
    name: 'dhcp',
    configFile: writeConfig(dir, 'dhcp', config),
    dir,
    timeoutS,
    env: { LANCTL_LOG_LEVEL: options.logLevel },
    nodeArgs: options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`] : undefined,
    healthUrl: `http://${lan.uplink.ns}:${DHCP_HTTP_PORT}/healthz`,
  }).catch(async (error: unknown) => {
    await mdb.stop();
    throw error;
  });
  return {
    ...dhcp,
    stop: async () => {
      await dhcp.stop();
      await mdb.stop();
    },
  };
}

const benchBudgetS = (o: Options) => 60 + o.rates.length * (o.seconds + 15);

// ---- perfdhcp ----

interface Exchange {
  sent: number;
  received: number;
  dropsPct: number;
  avgMs: number;
  maxMs: number;
  stdMs: number;
}

interface Run {
  rate: number;
  leasesPerS: number;
  do: Exchange;
  ra: Exchange;
}

/** One perfdhcp run in namespace `ns` (a child of the LAN: Ctrl-C kills it with the rest). */
async function perfdhcp(lan: TestLan, ns: string, rate: number, options: Options): Promise<string> {
  const child = lan.spawn(ns, [
    'timeout',
    String(options.seconds + 20),
    'perfdhcp',
    '-4',
    '-r',
    String(rate),
    '-R',
    String(options.clients),
    '-p',
    String(options.seconds),
    '-l',
    'eth0',
    SERVER_IP,
  ]);
  const code = await child.exited;
  // perfdhcp exits 3 when packets were dropped; its report is still complete.
  if (!child.output().includes('***Rate statistics***'))
    throw new Error(`perfdhcp failed (exit ${code}): ${child.output().slice(-2000)}`);
  return child.output();
}

/** perfdhcp's text report → the figures of one run. */
function parsePerfdhcp(rate: number, seconds: number, text: string): Run {
  const section = (title: string): Exchange => {
    const start = text.indexOf(`***Statistics for: ${title}***`);
    if (start < 0) throw new Error(`perfdhcp report without ${title} statistics:\n${text}`);
    const body = text.slice(start, text.indexOf('collected packets', start));
    // perfdhcp prints "-nan", "inf" or "n/a" when nothing came back.
    const field = (name: string) => {
      const match = new RegExp(`^${name}: (\\S+)`, 'm').exec(body);
      if (!match) throw new Error(`perfdhcp ${title}: no "${name}" in:\n${body}`);
      const value = Number(match[1]);
      return Number.isFinite(value) ? value : Number.NaN;
    };
    return {
      sent: field('sent packets'),
      received: field('received packets'),
      dropsPct: field('drops ratio'),
      avgMs: field('avg delay'),
      maxMs: field('max delay'),
      stdMs: field('std deviation'),
    };
  };
  const ra = section('REQUEST-ACK');
  // perfdhcp's own figure (completed exchanges over its measured duration); else ACKs / -p.
  const reported = /Rate: ([0-9.]+) 4-way exchanges\/second/.exec(text);
  const leasesPerS = reported ? Number(reported[1]) : ra.received / seconds;
  return { rate, leasesPerS, do: section('DISCOVER-OFFER'), ra };
}

async function runTarget(lan: TestLan, target: Target, options: Options): Promise<Run[]> {
  const dir = await mkdtemp(join(tmpdir(), `lanctl-bench-dhcp-${target}-`));
  const server =
    target === 'kea' ? await startKea(lan, dir, options) : await startLanctl(lan, dir, options);
  const runs: Run[] = [];
  try {
    for (const rate of options.rates) {
      process.stderr.write(`${target}: ${rate}/s for ${options.seconds} s...\n`);
      const run = parsePerfdhcp(
        rate,
        options.seconds,
        await perfdhcp(lan, lan.clients[0]!, rate, options),
      );
      runs.push(run);
      if (run.do.received === 0)
        process.stderr.write(
          `${target} answered nothing; its log ends:\n${server.process.output().slice(-3000)}\n`,
        );
      await sleep(1000); // let the last answers drain before the next step
    }
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return runs;
}

// ---- report ----

const fixed = (n: number, digits: number) => n.toFixed(digits);

function printTable(results: Map<Target, Run[]>, options: Options): void {
  const header = [
    'target',
    'offered/s',
    'leases/s',
    'DO drops %',
    'RA drops %',
    'DO avg ms',
    'DO max ms',
    'RA avg ms',
    'RA max ms',
  ];
  const rows: string[][] = [header];
  for (const [target, runs] of results)
    for (const r of runs)
      rows.push([
        target,
        String(r.rate),
        fixed(r.leasesPerS, 0),
        fixed(r.do.dropsPct, 3),
        fixed(r.ra.dropsPct, 3),
        fixed(r.do.avgMs, 3),
        fixed(r.do.maxMs, 1),
        fixed(r.ra.avgMs, 3),
        fixed(r.ra.maxMs, 1),
      ]);
  const widths = header.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
  console.log(
    `\n${options.clients} clients, ${options.seconds} s per rate, lease time ${options.leaseTime} s; drops tolerated ≤ ${DROP_TOLERANCE_PCT} %`,
  );
  for (const [target, runs] of results) {
    const clean = runs.filter(
      (r) => r.do.dropsPct <= DROP_TOLERANCE_PCT && r.ra.dropsPct <= DROP_TOLERANCE_PCT,
    );
    const best = Math.max(0, ...runs.map((r) => r.leasesPerS));
    const maxClean = clean.length ? Math.max(...clean.map((r) => r.rate)) : 0;
    console.log(
      `${target}: best ${fixed(best, 0)} leases/s; highest offered rate without drops: ${maxClean || 'none'}`,
    );
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const lan = benchLan({ clients: 1, bridgeAddresses: [`${SERVER_IP}/16`] });
  const results = new Map<Target, Run[]>();
  try {
    lan.exec(lan.clients[0]!, ['ip', 'addr', 'add', `${RELAY_IP}/16`, 'dev', 'eth0']);
    for (const target of options.targets)
      results.set(target, await runTarget(lan, target, options));
  } finally {
    await lan.close();
  }
  printTable(results, options);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
