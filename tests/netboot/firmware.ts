/**
 * What a netboot test needs around the servers under test, inside a createTestLan() LAN: an
 * HTTP fixture that answers every request with an iPXE script and records who asked, a sender
 * of IPv6 router advertisements (iPXE waits ~13 s for a router otherwise), and QEMU booting
 * SeaBIOS + iPXE or OVMF + EDK2 PXE from a tap on br0 (netboot-testing.md). Every process runs
 * in the server namespace under `timeout` and is killed by `lan.close()`.
 */
import { rmSync, writeFileSync } from 'node:fs';
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
const [host, port, routes] = process.argv.slice(1);
const scripts = JSON.parse(routes);
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
  res.end(scripts[req.url.split('?')[0]] ?? script);
});
server.listen(Number(port), host, () => console.log(JSON.stringify({ listening: port })));
process.on('SIGTERM', () => process.exit(0));
`;

/**
 * Serves the iPXE script on `host:port` in the server namespace; resolves once it listens.
 * `scripts` maps a path (query ignored) to the script served there instead of the marker one.
 */
export async function startHttpFixture(
  lan: TestLan,
  host: string,
  port: number,
  timeoutS: number,
  scripts: Record<string, string> = {},
): Promise<HttpFixture> {
  const process = lan.spawn(lan.server, [
    'timeout',
    String(timeoutS),
    'node',
    '-e',
    FIXTURE_SOURCE,
    host,
    String(port),
    JSON.stringify(scripts),
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
  /** The serial console's log file (COM1; SeaBIOS mirrors its text screen there). */
  serialPath: string;
  /** QEMU's QMP socket, when booted with `keyboard: true` (console.ts types through it). */
  qmpPath?: string;
}

export interface BootOptions {
  firmware: Firmware;
  mac: string;
  dir: string;
  timeoutS: number;
  /** Opens a QMP socket for console.ts (keys reach the guest's PS/2 keyboard). */
  keyboard?: boolean;
  /** SMBIOS system serial number (iPXE `${serial}`) and UUID (`${uuid}`). */
  smbios?: { serial?: string; uuid?: string };
}

/**
 * Boots a VM from the network on a new tap of br0: BIOS = SeaBIOS with the e1000's iPXE ROM
 * (starts with an iPXE DHCP request); UEFI = OVMF with virtio-net and no option ROM (EDK2's own
 * PXE: arch 7, TFTP of the boot file, then iPXE's DHCP). The serial console goes to a plain file:
 * a socket chardev with a reader attached duplicates characters in the log (console.ts).
 */
export function bootVm(lan: TestLan, options: BootOptions): Vm {
  const tap = lan.addTap();
  const name = options.mac.replaceAll(':', '');
  const serialPath = join(options.dir, `serial-${name}.log`);
  writeFileSync(serialPath, '');
  const netdev = `tap,id=n0,ifname=${tap},script=no,downscript=no`;
  const common = ['-accel', 'tcg', '-m', '256', '-display', 'none', '-nodefaults', '-no-reboot'];
  const qmpPath = options.keyboard ? join(options.dir, `qmp-${name}.sock`) : undefined;
  if (qmpPath) rmSync(qmpPath, { force: true });
  const process = lan.spawn(lan.server, [
    'timeout',
    String(options.timeoutS),
    'qemu-system-x86_64',
    ...common,
    '-serial',
    `file:${serialPath}`,
    ...(qmpPath ? ['-qmp', `unix:${qmpPath},server=on,wait=off`] : []),
    ...smbiosArgs(options.smbios),
    '-netdev',
    netdev,
    ...machineArgs(options),
  ]);
  return { process, serial: () => readFile(serialPath, 'latin1'), serialPath, qmpPath };
}

function machineArgs(options: BootOptions): string[] {
  if (options.firmware === 'uefi')
    return [
      '-bios',
      '/usr/share/ovmf/OVMF.fd',
      '-device',
      `virtio-net-pci,netdev=n0,mac=${options.mac},romfile=,bootindex=0`,
    ];
  const sercon = join(options.dir, 'sercon-port');
  writeFileSync(sercon, Buffer.from([0xf8, 0x03]));
  return [
    '-fw_cfg',
    `name=etc/sercon-port,file=${sercon}`,
    '-boot',
    'n',
    '-device',
    `e1000,netdev=n0,mac=${options.mac},romfile=/usr/lib/ipxe/qemu/efi-e1000.rom`,
  ];
}

function smbiosArgs(smbios: BootOptions['smbios']): string[] {
  if (!smbios) return [];
  const fields = [
    ...(smbios.serial === undefined ? [] : [`serial=${smbios.serial.replaceAll(',', ',,')}`]),
    ...(smbios.uuid === undefined ? [] : [`uuid=${smbios.uuid}`]),
  ];
  return fields.length > 0 ? ['-smbios', `type=1,${fields.join(',')}`] : [];
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
