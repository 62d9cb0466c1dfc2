/**
 * The `lanctl serve dhcp|dns|mdb` configurations the network benchmarks use (shapes of
 * services/<name>/src/config.ts; the servers validate them at start). Written as JSON, which
 * is YAML too.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DhcpSetup {
  dir: string;
  serverIp: string;
  subnets: {
    name: string;
    network: string;
    netmask?: string;
    router?: string;
    dynamic?: { from: string; to: string; lease_seconds: number };
  }[];
  leaseSeconds: number;
  /** mdb's sync origin; the DHCP server follows its machines stream. */
  upstream: string;
  tokenFile: string;
  publicKeyFile: string;
  bootUrl?: string;
  /** /healthz, /metrics and the API; default: any free port on the namespace's loopback. */
  http?: { host: string; port: number };
}

export function dhcpConfig(setup: DhcpSetup): object {
  return {
    listen: { host: '0.0.0.0', port: 67 },
    server_id: setup.serverIp,
    plan: {
      domain: 'prolo',
      lease_seconds: setup.leaseSeconds,
      subnets: setup.subnets.map((s) => ({
        ...s,
        dns: [setup.serverIp],
        next_server: setup.serverIp,
        interface: 'br0',
      })),
      ...(setup.bootUrl ? { boot: { ipxe_url: setup.bootUrl } } : {}),
    },
    upstream: setup.upstream,
    token_file: setup.tokenFile,
    state_dir: join(setup.dir, 'dhcp-state'),
    http: { listen: setup.http ?? { host: '127.0.0.1', port: 0 } },
    auth: { public_key_file: setup.publicKeyFile },
  };
}

export function dnsConfig(setup: {
  dir: string;
  serverIp: string;
  upstream: string;
  tokenFile: string;
}): object {
  return {
    listen: { host: '0.0.0.0', port: 53 },
    plan: { zone: 'prolo', ns: { name: 'ns', address: setup.serverIp } },
    upstream: setup.upstream,
    token_file: setup.tokenFile,
    state_dir: join(setup.dir, 'dns-state'),
    http: { listen: { host: '127.0.0.1', port: 0 } },
  };
}

export function mdbConfig(setup: { dir: string; host: string; publicKeyFile: string }): object {
  return {
    listen: { host: setup.host, port: 0 },
    sync: { port: 0, poll_ms: 1000 },
    database: { url: join(setup.dir, 'mdb.sqlite') },
    auth: { public_key_file: setup.publicKeyFile },
  };
}

/** Writes `config` as `<dir>/<name>.yml` and returns its path. */
export function writeConfig(dir: string, name: string, config: object): string {
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
