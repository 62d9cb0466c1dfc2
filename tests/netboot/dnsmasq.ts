/**
 * The reference DHCP + TFTP server for the netboot harness (dnsmasq), to tell a harness problem
 * from a server problem: the same boot flows as ours, configured the SADM way (fixed address for
 * known MACs, alien range with scriptlet `alien`, iPXE gets the HTTP URL, EFI PXE gets
 * snponly.efi over TFTP).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetnsProcess, TestLan } from '@lanctl/testkit';

export interface DnsmasqOptions {
  dir: string;
  serverIp: string;
  bootUrl: string;
  known: { mac: string; ip: string; hostname: string }[];
  alienRange: [string, string];
  /** Where the known machines' fixed addresses are, e.g. 192.168.0.0 and 255.255.254.0. */
  staticNetwork: string;
  staticNetmask: string;
  timeoutS: number;
}

export function startDnsmasq(lan: TestLan, options: DnsmasqOptions): NetnsProcess {
  const tftpRoot = join(options.dir, 'tftp');
  mkdirSync(tftpRoot, { recursive: true });
  symlinkSync('/usr/lib/ipxe/snponly.efi', join(tftpRoot, 'snponly.efi'));
  const lines = [
    'port=0',
    'interface=br0',
    'bind-interfaces',
    `dhcp-leasefile=${join(options.dir, 'dnsmasq.leases')}`,
    'dhcp-authoritative',
    'log-dhcp',
    `dhcp-range=tag:!known,${options.alienRange[0]},${options.alienRange[1]},255.255.255.0,30s`,
    `dhcp-range=${options.staticNetwork},static,${options.staticNetmask},4h`,
    ...options.known.map((m) => `dhcp-host=${m.mac},${m.ip},${m.hostname}`),
    'dhcp-option-force=tag:!known,encap:175,81,alien',
    'dhcp-userclass=set:ipxe,iPXE',
    'dhcp-match=set:efi64,option:client-arch,7',
    `dhcp-boot=tag:ipxe,${options.bootUrl}`,
    `dhcp-boot=tag:!ipxe,tag:efi64,snponly.efi,,${options.serverIp}`,
    'enable-tftp',
    `tftp-root=${tftpRoot}`,
    'user=root',
  ];
  const conf = join(options.dir, 'dnsmasq.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  return lan.spawn(lan.server, [
    'timeout',
    String(options.timeoutS),
    'dnsmasq',
    '--keep-in-foreground',
    '--log-facility=-',
    `--conf-file=${conf}`,
  ]);
}
