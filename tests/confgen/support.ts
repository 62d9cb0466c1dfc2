import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConfgenConfig, confgenConfigSchema } from '@lanctl/confgen';
import { validateConfig } from '@lanctl/core';
import { sadmDhcpPlanInput } from '@lanctl/dhcp-wire';

/**
 * A site config writing every output under `dir`, with the real checkers (kea-dhcp4 -t,
 * dnsmasq --test, named-checkzone, named-checkconf) and reload commands that append a line to
 * `<dir>/reloads.log` (counted by `reloads(dir)`). dhcpd is not installed here: its check is off.
 */
export function siteConfig(
  dir: string,
  extra: Record<string, unknown> = {},
  iface: string | null = null,
): ConfgenConfig {
  const log = join(dir, 'reloads.log');
  const reload = (what: string, ...args: string[]) => [
    '/bin/sh',
    '-c',
    `echo "$*" >> ${log}`,
    'reload',
    what,
    ...args,
  ];
  const plan = sadmDhcpPlanInput();
  plan.boot = { rules: [{ mtype: 'service', bios_file: 'arch.kpxe' }] };
  for (const subnet of plan.subnets) subnet.interface = iface;
  return validateConfig('test', confgenConfigSchema, {
    state_dir: join(dir, 'state'),
    listen: { port: 0 },
    debounce_ms: 50,
    reapply_seconds: 0,
    dhcp: plan,
    dns: {},
    kea: {
      enabled: true,
      path: join(dir, 'kea-dhcp4.conf'),
      lease_file: join(dir, 'kea-leases4.csv'),
      control_socket: join(dir, 'kea.sock'),
      reload: reload('kea'),
    },
    dnsmasq: {
      enabled: true,
      hostsdir: join(dir, 'dnsmasq-hosts'),
      conf_path: join(dir, 'dnsmasq.conf'),
      reload: reload('dnsmasq'),
      reload_hosts: reload('dnsmasq-hosts'),
    },
    dhcpd: {
      enabled: true,
      path: join(dir, 'generated.conf'),
      check: null,
      restart: reload('dhcpd'),
      restart_min_interval_seconds: 0,
    },
    bind: {
      enabled: true,
      zone_dir: join(dir, 'zones'),
      conf_path: join(dir, 'named.conf.lanctl'),
      reload_zone: reload('zone', '{zone}', '{view}'),
      reload_conf: reload('bind-conf'),
    },
    ...extra,
  });
}

/** Lines of reloads.log so far. */
export function reloads(dir: string): string[] {
  const log = join(dir, 'reloads.log');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
}

export function clearReloads(dir: string): void {
  writeFileSync(join(dir, 'reloads.log'), '');
}

/** Polls `check` (sync or async) until true; throws naming `what` after `ms`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
