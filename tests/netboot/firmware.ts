/**
 * What a netboot test needs around the servers under test, inside a createTestLan() LAN: an
 * HTTP fixture that answers every request with an iPXE script and records who asked, a sender
 * of IPv6 router advertisements (iPXE waits ~13 s for a router otherwise), and QEMU booting
 * SeaBIOS + iPXE or OVMF + EDK2 PXE from a tap on br0 (netboot-testing.md). Every process runs
 * in the server namespace under `timeout` and is killed by `lan.close()`.
 */
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetnsProcess, TestLan } from '@lanctl/testkit';
import { jsonLines } from '../../scripts/bench/lib/log-lines.ts';

/** The line the fixture's script makes the firmware print on its console. */
export const BOOT_MARKER = 'LANCTL-NETBOOT-OK';

export interface FixtureRequest {
  method: string;
  url: string;
  remote: string;
}

export interface HttpFixture {
  /** e.g. http://10.99.0.1:8080 */
  base: string;
  requests(): FixtureRequest[];
  process: NetnsProcess;
}

// The script prints the marker with what iPXE was told, then reboots (QEMU runs with -no-reboot,
// so it exits; Debian's iPXE has no poweroff). The line stays under 80 columns: SeaBIOS's serial
// mirror wraps there, and holds back the last characters it got when the VM goes away: hence
// the line after it and the second before rebooting. `mac ip platform [scriptlet]`.
const FIXTURE_SOURCE = `
const http = require('node:http');
const [host, port] = process.argv.slice(1);
const script = [
  '#!ipxe',
  'echo ${BOOT_MARKER} \${net0/mac} \${net0/ip} \${platform} [\${scriptlet}]',
  'echo --',
  'sleep 1',
  'reboot',
  '',
].join('\\n');
const server = http.createServer((req, res) => {
  console.log(JSON.stringify({ method: req.method, url: req.url, remote: req.socket.remoteAddress }));
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(script);
});
server.listen(Number(port), host, () => console.log(JSON.stringify({ listening: port })));
process.on('SIGTERM', () => process.exit(0));
`;

/** Serves the iPXE script on `host:port` in the server namespace; resolves once it listens. */
export async function startHttpFixture(
  lan: TestLan,
  host: string,
  port: number,
  timeoutS: number,
): Promise<HttpFixture> {
  const process = lan.spawn(lan.server, [
    'timeout',
    String(timeoutS),
    'node',
    '-e',
    FIXTURE_SOURCE,
    host,
    String(port),
  ]);
  const parse = () => jsonLines(process) as (Partial<FixtureRequest> & { listening?: string })[];
  await until(
    () => parse().some((l) => l.listening),
    10_000,
    () => process.output(),
  );
  return {
    base: `http://${host}:${port}`,
    process,
    requests: () => parse().filter((l): l is FixtureRequest => l.method !== undefined),
  };
}

// One bare router advertisement (no prefix, lifetime 0) every 500 ms on br0, from the bridge's
// link-local address; errors before that address exists (DAD) are retried.
const RA_SOURCE = `
import socket, struct, time
idx = socket.if_nametoindex('br0')
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
ra = struct.pack('!BBHBBHII', 134, 0, 0, 64, 0, 0, 0, 0)
while True:
    try:
        s.sendto(ra, ('ff02::1', 0, 0, idx))
    except OSError:
        pass
    time.sleep(0.5)
`;

export function startRouterAdvertiser(lan: TestLan, timeoutS: number): NetnsProcess {
  return lan.spawn(lan.server, ['timeout', String(timeoutS), 'python3', '-c', RA_SOURCE]);
}

export type Firmware = 'bios' | 'uefi';

export interface Vm {
  process: NetnsProcess;
  serial(): Promise<string>;
}

/**
 * Boots a VM from the network on a new tap of br0: BIOS = SeaBIOS with the e1000's iPXE ROM
 * (starts with an iPXE DHCP request); UEFI = OVMF with virtio-net and no option ROM (EDK2's own
 * PXE: arch 7, TFTP of the boot file, then iPXE's DHCP).
 */
export function bootVm(
  lan: TestLan,
  options: { firmware: Firmware; mac: string; dir: string; timeoutS: number },
): Vm {
  const tap = lan.addTap();
  const log = join(options.dir, `serial-${options.mac.replaceAll(':', '')}.log`);
  writeFileSync(log, '');
  const netdev = `tap,id=n0,ifname=${tap},script=no,downscript=no`;
  const common = ['-accel', 'tcg', '-m', '256', '-display', 'none', '-nodefaults', '-no-reboot'];
  let machine: string[];
  if (options.firmware === 'bios') {
    const sercon = join(options.dir, 'sercon-port');
    writeFileSync(sercon, Buffer.from([0xf8, 0x03]));
    machine = [
      '-fw_cfg',
      `name=etc/sercon-port,file=${sercon}`,
      '-boot',
      'n',
      '-device',
      `e1000,netdev=n0,mac=${options.mac},romfile=/usr/lib/ipxe/qemu/efi-e1000.rom`,
    ];
  } else {
    machine = [
      '-bios',
      '/usr/share/ovmf/OVMF.fd',
      '-device',
      `virtio-net-pci,netdev=n0,mac=${options.mac},romfile=,bootindex=0`,
    ];
  }
  const process = lan.spawn(lan.server, [
    'timeout',
    String(options.timeoutS),
    'qemu-system-x86_64',
    ...common,
    '-serial',
    `file:${log}`,
    '-netdev',
    netdev,
    ...machine,
  ]);
  return { process, serial: () => readFile(log, 'latin1') };
}

/** Polls `check` every 100 ms; on timeout throws with `explain()` (logs) in the message. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  explain: () => string | Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms:\n${await explain()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
