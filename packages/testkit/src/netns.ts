import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * A throwaway LAN in network namespaces, for testing what crosses a wire with real clients
 * (dhclient, udhcpc, dig, tftp, QEMU) and no risk of answering a real network:
 *
 *   root namespace (the test process)        server namespace `srv`
 *     <uplink host> 10.250.X.Y/30  ──veth──  <uplink ns>  10.250.X.Y+1/30
 *                                            br0  (e.g. 10.99.0.1/24, no default route)
 *   client namespace `cN`  eth0  ──veth──────┘  (and QEMU taps, also on br0)
 *
 * Daemons under test run as child processes inside `srv` (`lan.spawn(lan.server, ...)`); the test
 * process reaches them at `lan.uplink.ns` and they reach in-process services (an mdb bound to
 * `lan.uplink.host`) the other way. Requires root (CI runs as root) and iproute2.
 */
export interface TestLan {
  /** Server namespace name (holds br0). */
  server: string;
  /** Client namespace names, each with an unconfigured `eth0` on br0. */
  clients: string[];
  /** The /30 between the test process and the server namespace. */
  uplink: { host: string; ns: string };
  /** Bridge addresses given to br0 (CIDR). */
  bridgeAddresses: string[];
  /** Runs a command in a namespace; throws with its stderr on a non-zero exit. */
  exec(ns: string, argv: string[], options?: { timeoutMs?: number; input?: string }): string;
  /** Starts a long-running command in a namespace; output is collected in `output()`. */
  spawn(ns: string, argv: string[], options?: { env?: NodeJS.ProcessEnv }): NetnsProcess;
  /** Adds a tap on br0 (for QEMU `-netdev tap,ifname=NAME,script=no,downscript=no`). */
  addTap(): string;
  /** Adds a client namespace later. */
  addClient(): string;
  /** Lets sockets in `srv` send to 255.255.255.255 (netboot-testing.md: ENETUNREACH without it). */
  addBroadcastRoute(): void;
  /** Kills what `spawn` started and deletes every namespace (bridge, veths and taps go with them). */
  close(): Promise<void>;
}

export interface NetnsProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves when the process has exited (after `kill`, or by itself). */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface TestLanOptions {
  /** Client namespaces to create now. Default 1. */
  clients?: number;
  /** br0 addresses in CIDR form; the first is the server's primary address. Default 10.99.0.1/24. */
  bridgeAddresses?: string[];
}

/**
 * Starts a command in a process group of its own (so `kill` reaches what it started too), with
 * stdout and stderr collected: the one way tests and benchmarks run a long-lived child.
 */
export function spawnGroup(argv: string[], env: NodeJS.ProcessEnv = process.env): NetnsProcess {
  const child = spawn(argv[0]!, argv.slice(1), {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    child,
    output: () => output,
    exited,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // already gone
        }
      }
      return exited;
    },
  };
}

function ip(argv: string[]): void {
  execFileSync('ip', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'network-namespace tests need root (CI runs them as root): run `sudo pnpm test`',
    );
  }
}

/** Creates the LAN; always `close()` it (afterAll), even after a failure. */
export function createTestLan(options: TestLanOptions = {}): TestLan {
  requireRoot();
  const id = randomBytes(3).toString('hex');
  const server = `lt-${id}-srv`;
  const namespaces: string[] = [];
  const processes = new Set<NetnsProcess>();
  const bridgeAddresses = options.bridgeAddresses ?? ['10.99.0.1/24'];
  let clientCount = 0;
  let tapCount = 0;

  const exec: TestLan['exec'] = (ns, argv, execOptions = {}) => {
    try {
      return execFileSync('ip', ['netns', 'exec', ns, ...argv], {
        encoding: 'utf8',
        timeout: execOptions.timeoutMs ?? 30_000,
        input: execOptions.input,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; status?: number };
      throw new Error(
        `${argv.join(' ')} in ${ns} failed (exit ${e.status}): ${e.stderr ?? ''}${e.stdout ?? ''}`,
      );
    }
  };

  const addNamespace = (name: string) => {
    ip(['netns', 'add', name]);
    namespaces.push(name);
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
  };

  const addClient = () => {
    const name = `lt-${id}-c${clientCount++}`;
    addNamespace(name);
    const port = `p${id}c${clientCount - 1}`;
    ip(['-n', server, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name]);
    ip(['-n', server, 'link', 'set', port, 'master', 'br0', 'up']);
    ip(['-n', name, 'link', 'set', 'eth0', 'up']);
    return name;
  };

  try {
    addNamespace(server);
    ip(['-n', server, 'link', 'add', 'br0', 'type', 'bridge']);
    // No STP delay: a port forwards as soon as it is up, as on a contest switch with portfast.
    ip([
      '-n',
      server,
      'link',
      'set',
      'br0',
      'type',
      'bridge',
      'stp_state',
      '0',
      'forward_delay',
      '0',
    ]);
    for (const address of bridgeAddresses) ip(['-n', server, 'addr', 'add', address, 'dev', 'br0']);
    ip(['-n', server, 'link', 'set', 'br0', 'up']);

    // A /30 in 10.250.0.0/16 for the uplink; random so parallel test files do not collide.
    const [a, b] = randomBytes(2);
    const base = `10.250.${a}.${(b! & 0xfc) % 252}`;
    const octets = base.split('.').map(Number);
    const host = `${octets[0]}.${octets[1]}.${octets[2]}.${octets[3]! + 1}`;
    const nsSide = `${octets[0]}.${octets[1]}.${octets[2]}.${octets[3]! + 2}`;
    const hostLink = `u${id}`;
    ip(['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', 'uplink', 'netns', server]);
    ip(['addr', 'add', `${host}/30`, 'dev', hostLink]);
    ip(['link', 'set', hostLink, 'up']);
    ip(['-n', server, 'addr', 'add', `${nsSide}/30`, 'dev', 'uplink']);
    ip(['-n', server, 'link', 'set', 'uplink', 'up']);

    const clients: string[] = [];
    for (let i = 0; i < (options.clients ?? 1); i++) clients.push(addClient());

    return {
      server,
      clients,
      uplink: { host, ns: nsSide },
      bridgeAddresses,
      exec,
      addClient: () => {
        const name = addClient();
        clients.push(name);
        return name;
      },
      addTap: () => {
        const tap = `tap${tapCount++}`;
        ip(['-n', server, 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
        ip(['-n', server, 'link', 'set', tap, 'master', 'br0', 'up']);
        return tap;
      },
      addBroadcastRoute: () => {
        ip(['-n', server, 'route', 'replace', '255.255.255.255', 'dev', 'br0']);
      },
      spawn: (ns, argv, spawnOptions = {}) => {
        const handle = spawnGroup(['ip', 'netns', 'exec', ns, ...argv], spawnOptions.env);
        processes.add(handle);
        return handle;
      },
      close: async () => {
        await Promise.all(
          [...processes].map(async (p) => {
            const timer = setTimeout(() => void p.kill('SIGKILL'), 5000);
            await p.kill('SIGTERM');
            clearTimeout(timer);
          }),
        );
        for (const name of namespaces.reverse()) {
          try {
            ip(['netns', 'del', name]);
          } catch {
            // best effort: a namespace that is already gone is fine
          }
        }
      },
    };
  } catch (error) {
    for (const name of namespaces.reverse()) {
      try {
        ip(['netns', 'del', name]);
      } catch {}
    }
    throw error;
  }
}
