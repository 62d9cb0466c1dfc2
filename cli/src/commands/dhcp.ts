import {
  type ConfgenConfig,
  commandRunner,
  confgenConfigSchema,
  diffOnce,
  type OutputName,
  planOutputs,
  plansAsText,
  renderOnce,
  retarget,
  type SiteState,
  summarize,
} from '@lanctl/confgen';
import { loadConfig } from '@lanctl/core';
import { type Command, Option } from 'commander';
import { addWord, apiCommand, type ConnectionOptions, connect, run } from '../command.ts';
import { errorLine, fail, usageError } from '../output.ts';

/**
 * `lanctl dhcp render|diff`: the Kea, dnsmasq and ISC dhcpd configs of `lanctl serve confgen`,
 * once, from mdb's machines and the site config (/etc/lanctl/confgen.yml). Shared with dns.ts.
 */

export interface SiteOptions extends ConnectionOptions {
  config?: string;
  out?: string;
}

const DHCP_FORMATS = ['kea', 'dnsmasq', 'dhcpd'] as const;

export function siteCommand(parent: Command, name: string, description: string): Command {
  return apiCommand(parent, name, description).option(
    '--config <file>',
    'site config with the plans and outputs (default /etc/lanctl/confgen.yml)',
  );
}

export function loadSite(o: SiteOptions): ConfgenConfig {
  return loadConfig('confgen', confgenConfigSchema, { path: o.config });
}

/** Machines (and pools, for DNS) from mdb with the CLI's credentials. */
export async function fetchState(o: SiteOptions, pools: boolean): Promise<SiteState> {
  const client = connect(o);
  return {
    machines: await client.machines.listAll(),
    pools: pools ? await client.pools.listAll() : [],
  };
}

/** `render`: prints with `--out -`, writes elsewhere with `--out PATH`, else applies in place. */
export async function renderSite(o: SiteOptions, outputs: OutputName[], pools: boolean) {
  let config = loadSite(o);
  const state = await fetchState(o, pools);
  if (o.out === '-') {
    const plans = await planOutputs(config, state, new Date(), outputs);
    for (const w of plans.flatMap((p) => p.warnings)) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(plansAsText(plans));
    return;
  }
  if (o.out !== undefined) {
    if (outputs.length !== 1) usageError('--out takes one --format');
    config = retarget(config, outputs[0]!, o.out);
  }
  const result = await renderOnce(
    config,
    state,
    outputs,
    commandRunner(config.command_timeout_seconds * 1000),
  );
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  for (const line of summarize(result)) process.stdout.write(`${line}\n`);
  if (!result.ok) fail('some files were not applied or reloaded (see above); the old ones stay');
}

/** `diff`: the unified diff on stdout; exit 0 without changes, 1 with, 2 on error (diff(1)). */
export async function diffSite(o: SiteOptions, outputs: OutputName[], pools: boolean) {
  try {
    const config = loadSite(o);
    const { diff, warnings } = await diffOnce(config, await fetchState(o, pools), outputs);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(diff);
    process.exitCode = diff === '' ? 0 : 1;
  } catch (e) {
    fail(errorLine(e), 2);
  }
}

/** `--format`, or the DHCP outputs enabled in the config. */
function dhcpOutputs(o: SiteOptions & { format?: OutputName }): OutputName[] {
  if (o.format) return [o.format];
  const enabled = DHCP_FORMATS.filter((n) => loadSite(o)[n].enabled);
  if (enabled.length === 0) {
    usageError('no DHCP output enabled in the config (kea, dnsmasq, dhcpd): pass --format');
  }
  return enabled;
}

const formatOption = () =>
  new Option('--format <format>', 'kea, dnsmasq or dhcpd (default: those enabled)').choices(
    DHCP_FORMATS,
  );

export function registerDhcp(program: Command): void {
  const dhcp = addWord(program, 'dhcp', 'DHCP server configs (Kea, dnsmasq, ISC dhcpd) from mdb');
  siteCommand(dhcp, 'render', 'write the configs (check, then reload only what changed)')
    .addOption(formatOption())
    .option(
      '--out <path>',
      'write there instead, without reload (dnsmasq: a directory), or - to print',
    )
    .action(
      run((o: SiteOptions & { format?: OutputName }) => renderSite(o, dhcpOutputs(o), false)),
    );
  siteCommand(dhcp, 'diff', 'show what render would change; exit 1 when something would')
    .addOption(formatOption())
    .action((o: SiteOptions & { format?: OutputName }) =>
      diffSite(o, o.format ? [o.format] : safe(() => dhcpOutputs(o)), false),
    );
}

/** A usage or config error of `diff` exits 2 like any of its errors. */
function safe<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    fail(errorLine(e), 2);
  }
}
