import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestLan, type NetnsProcess, type TestLan, tempDir } from '@lanctl/testkit';

/** Where the "internet" answers (a TCP listener in its own namespace behind the router). */
export const INTERNET_IP = '203.0.113.2';
export const INTERNET_PORT = 8080;
/** An echo service there: every line sent comes back. */
export const ECHO_PORT = 8081;
const ROUTER_INET_IP = '203.0.113.1';
/** The LAN is mdb's default `user` pool, 192.168.0.0/24 (only inside the namespaces). */
const ROUTER_LAN_IP = '192.168.0.1';
const ROOT = join(import.meta.dirname, '..', '..');

export interface Gateway {
  lan: TestLan;
  /** The internet namespace's name. */
  internet: string;
  /** Runs a command in the router namespace. */
  exec(argv: string[]): string;
  /** The addresses in `inet lanctl allowed_internet`, sorted. */
  setElements(): string[];
  close(): Promise<void>;
}

const ip = (argv: string[]) => execFileSync('ip', argv, { stdio: ['ignore', 'ignore', 'pipe'] });

/**
 * createTestLan's server namespace as the gateway (br0 = the LAN side, 192.168.0.1/24), plus a veth
 * `inet0` to an "internet" namespace answering on INTERNET_IP:INTERNET_PORT; the router forwards
 * with install/firewall.nft loaded (interfaces and networks substituted); each client namespace
 * gets one of `clients` as its address.
 */
export function setUpGateway(options: { clients: string[] }): Gateway {
  const lan = createTestLan({
    clients: options.clients.length,
    bridgeAddresses: [`${ROUTER_LAN_IP}/24`],
  });
  const internet = `${lan.server.replace(/-srv$/, '')}-inet`;
  let internetCreated = false;
  const close = async () => {
    await lan.close();
    if (internetCreated) {
      try {
        ip(['netns', 'del', internet]);
      } catch {}
    }
  };
  try {
    ip(['netns', 'add', internet]);
    internetCreated = true;
    ip(['-n', internet, 'link', 'set', 'lo', 'up']);
    ip([
      '-n',
      lan.server,
      'link',
      'add',
      'inet0',
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      internet,
    ]);
    ip(['-n', lan.server, 'addr', 'add', `${ROUTER_INET_IP}/24`, 'dev', 'inet0']);
    ip(['-n', lan.server, 'link', 'set', 'inet0', 'up']);
    ip(['-n', internet, 'addr', 'add', `${INTERNET_IP}/24`, 'dev', 'eth0']);
    ip(['-n', internet, 'link', 'set', 'eth0', 'up']);
    lan.exec(lan.server, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    options.clients.forEach((address, i) => {
      const ns = lan.clients[i]!;
      ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      ip(['-n', ns, 'route', 'add', 'default', 'via', ROUTER_LAN_IP]);
    });
    const ruleset = readFileSync(join(ROOT, 'install', 'firewall.nft'), 'utf8')
      .replace(/^define LAN_IF = .*$/m, 'define LAN_IF = "br0"')
      .replace(/^define UPLINK_IF = .*$/m, 'define UPLINK_IF = "inet0"')
      .replace(/^define LAN_NET = .*$/m, 'define LAN_NET = 192.168.0.0/24')
      .replace(/^define SERVICES_NET = .*$/m, 'define SERVICES_NET = 0.0.0.0/32');
    const file = join(tmpdir(), `lanctl-firewall-${randomBytes(4).toString('hex')}.nft`);
    writeFileSync(file, ruleset);
    try {
      lan.exec(lan.server, ['nft', '-f', file]);
    } finally {
      execFileSync('rm', ['-f', file]);
    }
    const answer = [
      `const net = require('node:net');`,
      `net.createServer((s) => s.end('hello')).listen(${INTERNET_PORT}, '${INTERNET_IP}');`,
      `net.createServer((s) => s.on('error', () => {}).pipe(s)).listen(${ECHO_PORT}, '${INTERNET_IP}');`,
    ].join('\n');
    lan.spawn(internet, ['timeout', '600', process.execPath, '-e', answer]);
    waitUntilListening(lan, internet, [INTERNET_PORT, ECHO_PORT]);
  } catch (e) {
    void close();
    throw e;
  }
  return {
    lan,
    internet,
    exec: (argv) => lan.exec(lan.server, argv),
    setElements: () => {
      const json = JSON.parse(
        lan.exec(lan.server, ['nft', '-j', 'list', 'set', 'inet', 'lanctl', 'allowed_internet']),
      );
      const set = json.nftables.find((o: any) => o.set)?.set;
      return ((set?.elem ?? []) as string[]).slice().sort();
    },
    close,
  };
}

function waitUntilListening(lan: TestLan, ns: string, ports: number[]): void {
  for (let i = 0; i < 200; i++) {
    const listening = lan.exec(ns, ['ss', '-Htln']);
    if (ports.every((port) => listening.includes(`:${port} `))) return;
    execFileSync('sleep', ['0.05']);
  }
  throw new Error('the internet listeners did not start');
}

export interface OpenConnection {
  /** The last line number written to the socket (0: not connected yet). */
  sent(): number;
  /** The highest line number echoed back. */
  echoed(): number;
  output(): string;
  close(): Promise<void>;
}

/**
 * A long-lived TCP connection from `client` to the echo service (think `ssh -D`): a node process
 * in the client namespace writes a numbered line every 100 ms on the same socket and prints what
 * it sent and what came back. Killed after 120 s at the latest; always `close()` it.
 */
export function openConnection(lan: TestLan, client: string): OpenConnection {
  const script = [
    `const s = require('node:net').connect(${ECHO_PORT}, '${INTERNET_IP}');`,
    `let n = 0, buf = '';`,
    `s.setEncoding('utf8');`,
    `s.on('connect', () => setInterval(() => { n++; s.write(n + '\\n'); console.log('sent ' + n); }, 100));`,
    `s.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\\n')) >= 0) { console.log('echo ' + buf.slice(0, i)); buf = buf.slice(i + 1); } });`,
    `s.on('error', (e) => { console.log('error ' + e.message); process.exit(1); });`,
    `s.on('close', () => { console.log('closed'); process.exit(1); });`,
  ].join('\n');
  const handle = lan.spawn(client, ['timeout', '120', process.execPath, '-e', script]);
  const last = (word: string) => {
    const numbers = [...handle.output().matchAll(new RegExp(`^${word} (\\d+)$`, 'gm'))];
    return Math.max(0, ...numbers.map((m) => Number(m[1])));
  };
  return {
    sent: () => last('sent'),
    echoed: () => last('echo'),
    output: () => handle.output(),
    close: async () => {
      await handle.kill('SIGKILL');
    },
  };
}

/** A TCP connection from `client` to the internet gets an answer (blocked: the SYN is dropped). */
export function reaches(lan: TestLan, client: string, address: string): boolean {
  const script = `exec 3<>/dev/tcp/${address}/${INTERNET_PORT} && head -c 5 <&3`;
  try {
    return (
      lan.exec(client, ['timeout', '1', 'bash', '-c', script], { timeoutMs: 5000 }) === 'hello'
    );
  } catch {
    return false;
  }
}

/**
 * The firewall service as its unit runs it, inside the router namespace: `lanctl serve firewall`
 * once the CLI knows it, else its main.ts through tsx. Killed after 300 s at the latest.
 */
export function spawnFirewall(lan: TestLan, configFile: string): NetnsProcess {
  const services = readFileSync(join(ROOT, 'cli', 'src', 'services.ts'), 'utf8');
  const argv = /\bfirewall:/.test(services)
    ? [join(ROOT, 'cli', 'bin', 'lanctl'), 'serve', 'firewall', '--config', configFile]
    : [
        process.execPath,
        '--import',
        'tsx',
        '-e',
        `import(${JSON.stringify(join(ROOT, 'services', 'firewall', 'src', 'main.ts'))}).then((m) => m.main(['--config', ${JSON.stringify(configFile)}]))`,
      ];
  // Not under `timeout`: it would forward our SIGTERM a second time, and a second signal makes
  // the service exit at once, before writing its state files. A watchdog bounds it instead.
  const handle = lan.spawn(lan.server, argv, {
    env: { ...process.env, LANCTL_LOG_LEVEL: 'debug' },
  });
  const watchdog = setTimeout(() => void handle.kill('SIGKILL'), 300_000);
  watchdog.unref();
  void handle.exited.then(() => clearTimeout(watchdog));
  return handle;
}

/** Polls `check` (sync or async) until it holds; throws naming `what` (with `output`) if never. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  output?: () => string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${output ? `\n${output().slice(-4000)}` : ''}`);
}

export interface ToolNamespace {
  ns: string;
  /** A wrapper that runs `tool` inside the namespace (the service's `command` setting). */
  command: string;
  /** Runs a command in the namespace. */
  exec(argv: string[], input?: string): string;
  close(): Promise<void>;
}

/**
 * An empty network namespace (nft tables and ipsets are per namespace) and a wrapper script
 * running `tool` in it, for testing a backend in-process; always `close()` it.
 */
export async function toolNamespace(tool: 'nft' | 'ipset'): Promise<ToolNamespace> {
  const ns = `lt-fw-${randomBytes(3).toString('hex')}-${tool}`;
  ip(['netns', 'add', ns]);
  const dir = await tempDir(`lanctl-firewall-${tool}-`);
  const command = join(dir.path, tool);
  writeFileSync(command, `#!/bin/sh\nexec ip netns exec ${ns} ${tool} "$@"\n`);
  chmodSync(command, 0o755);
  return {
    ns,
    command,
    exec: (argv, input) =>
      execFileSync('ip', ['netns', 'exec', ns, ...argv], {
        encoding: 'utf8',
        input,
        timeout: 10_000,
      }),
    async close() {
      try {
        ip(['netns', 'del', ns]);
      } catch {}
      await dir.cleanup();
    },
  };
}
