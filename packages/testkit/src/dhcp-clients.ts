/**
 * Real DHCP clients (udhcpc, dhclient) in a client namespace of a test LAN, each bounded by a
 * timeout, with a hook script that records what they were given without touching the interface.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestLan } from './netns.ts';
import { waitFor } from './sse.ts';

let runs = 0;
/** Why the last `udhcpc` got no lease (its command and output), for assertion messages. */
export let lastFailure = '';

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

/**
 * udhcpc in `ns`: one lease then exit (-q), 5 tries of 1 s; the env its script saw at `bound`
 * (`ip`, `hostname`, `boot_file`, `opt175`...), or null when no lease came (see `lastFailure`).
 */
export function udhcpc(
  lan: TestLan,
  ns: string,
  dir: string,
  extra: string[] = [],
): Record<string, string> | null {
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
  try {
    lan.exec(ns, argv, { timeoutMs: 25_000 });
  } catch (e) {
    lastFailure = String(e);
    return null; // no lease within the tries (udhcpc -n exits 1)
  }
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
