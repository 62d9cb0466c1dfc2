import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildZones } from '@lanctl/dns-wire';
import type { Machine, Pool } from '@lanctl/model';
import type { Command } from './commands.ts';
import type { ConfgenConfig } from './config.ts';
import { buildDhcpView } from './dhcp-view.ts';
import { renderBind } from './render/bind.ts';
import { renderDhcpd } from './render/dhcpd.ts';
import { renderDnsmasq } from './render/dnsmasq.ts';
import { renderKea } from './render/kea.ts';

/** What the generators read from mdb. */
export interface SiteState {
  machines: readonly Machine[];
  pools: readonly Pool[];
}

export const OUTPUTS = ['kea', 'dnsmasq', 'dhcpd', 'bind'] as const;
export type OutputName = (typeof OUTPUTS)[number];

export interface FilePlan {
  path: string;
  content: string;
  /** Validates the candidate (`{file}`: its temp path; plus `vars`); null: none. */
  check: Command | null;
  vars: Record<string, string>;
  /** Reload run when this file changed (`{file}` is the final path); null: none. */
  reload: Command | null;
}

/** A directory this output owns: files matching `match` that are not planned are removed. */
export interface OwnedDir {
  dir: string;
  match: RegExp;
}

export interface OutputPlan {
  name: OutputName;
  /** In write order (zones before the views that name them, hosts before the fragment). */
  files: FilePlan[];
  owned: OwnedDir[];
  /** Run when a file of `owned` was removed or an existing one changed (dnsmasq: SIGHUP). */
  reloadOnRemoval: Command | null;
  warnings: string[];
}

export const enabledOutputs = (config: ConfgenConfig): OutputName[] =>
  OUTPUTS.filter((name) => config[name].enabled);

/**
 * The files of each enabled output (or of `only`) for this state: the pure renders, plus the
 * current zone files (the serial state of BIND zones). `now` dates new zone serials.
 */
export async function planOutputs(
  config: ConfgenConfig,
  state: SiteState,
  now: Date,
  only: readonly OutputName[] = enabledOutputs(config),
): Promise<OutputPlan[]> {
  const plans: OutputPlan[] = [];
  const wantsDhcp = only.some((n) => n !== 'bind');
  const view = wantsDhcp && config.dhcp ? buildDhcpView(config.dhcp, state.machines) : null;
  const dhcpWarnings = view
    ? view.unplaced.map((m) => `${m.hostname} (${m.ip}) is in no subnet of the DHCP plan`)
    : [];
  for (const name of only) {
    if (name === 'bind') plans.push(await planBind(config, state, now));
    else if (!view) throw new Error(`confgen: ${name} needs the \`dhcp\` plan in the config`);
    else if (name === 'kea') {
      const { path, check, reload } = config.kea;
      const file = { path, content: renderKea(view, config.kea), check, reload, vars: {} };
      plans.push({ name, files: [file], owned: [], reloadOnRemoval: null, warnings: dhcpWarnings });
    } else if (name === 'dhcpd') {
      const { path, check, restart } = config.dhcpd;
      const file = { path, content: renderDhcpd(view), check, reload: restart, vars: {} };
      plans.push({ name, files: [file], owned: [], reloadOnRemoval: null, warnings: dhcpWarnings });
    } else {
      const out = config.dnsmasq;
      const rendered = renderDnsmasq(view, out);
      const hosts = [...rendered.hosts].map(
        ([file, content]): FilePlan => ({
          path: join(out.hostsdir, file),
          content,
          check: null,
          vars: {},
          reload: null,
        }),
      );
      const conf = { path: out.conf_path, content: rendered.conf, check: out.check };
      plans.push({
        name,
        files: [...hosts, { ...conf, vars: {}, reload: out.reload }],
        owned: [{ dir: out.hostsdir, match: /^[^.]/ }],
        reloadOnRemoval: out.reload_hosts,
        warnings: dhcpWarnings,
      });
    }
  }
  return plans;
}

async function planBind(config: ConfgenConfig, state: SiteState, now: Date): Promise<OutputPlan> {
  const out = config.bind;
  if (!config.dns) throw new Error('confgen: bind needs the `dns` plan in the config');
  const set = buildZones(config.dns, [...state.machines], [...state.pools]);
  const current = await readZoneDir(out.zone_dir);
  const rendered = renderBind(set, current, out, now);
  const zones = rendered.zones.map(
    (z): FilePlan => ({
      path: join(out.zone_dir, z.file),
      content: z.content,
      check: out.check_zone,
      vars: { zone: z.zone.origin.replace(/\.$/, '') || '.', view: z.zone.view },
      reload: current.has(z.file) ? out.reload_zone : null,
    }),
  );
  const conf = { path: out.conf_path, content: rendered.conf, check: out.check_conf };
  return {
    name: 'bind',
    files: [...zones, { ...conf, vars: {}, reload: out.reload_conf }],
    owned: [{ dir: out.zone_dir, match: /^[^.].*\.zone$/ }],
    reloadOnRemoval: null,
    warnings: set.warnings,
  };
}

/** `*.zone` files of the zone directory (file name → text); none when it does not exist. */
async function readZoneDir(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw e;
  }
  for (const name of names.filter((n) => /^[^.].*\.zone$/.test(n)).sort()) {
    out.set(name, await readFile(join(dir, name), 'utf8'));
  }
  return out;
}
