import { resolve } from 'node:path';
import { applyOutput, diffOutput, type OutputResult } from './apply.ts';
import type { CommandRunner } from './commands.ts';
import type { ConfgenConfig } from './config.ts';
import { type OutputName, type OutputPlan, planOutputs, type SiteState } from './site.ts';

/**
 * `lanctl dhcp|dns render|diff`: the daemon's renders, once. `render` applies (checks, reloads),
 * or writes elsewhere (`--out`: checks, no reloads), or prints (`--out -`); `diff` only reads.
 */

/** The config with `name`'s output written under `out` (a file, or a directory for dnsmasq and
 * bind) and no reload (the daemon does not read it there). */
export function retarget(config: ConfgenConfig, name: OutputName, out: string): ConfgenConfig {
  const at = resolve(out);
  const copy = structuredClone(config) as ConfgenConfig;
  if (name === 'kea') Object.assign(copy.kea, { path: at, reload: null });
  if (name === 'dhcpd') Object.assign(copy.dhcpd, { path: at, restart: null });
  if (name === 'dnsmasq') {
    Object.assign(copy.dnsmasq, {
      conf_path: `${at}/dnsmasq.conf`,
      hostsdir: `${at}/hosts`,
      reload: null,
      reload_hosts: null,
    });
  }
  if (name === 'bind') {
    Object.assign(copy.bind, {
      zone_dir: at,
      conf_path: `${at}/named.conf.lanctl`,
      reload_zone: null,
      reload_conf: null,
    });
  }
  return copy;
}

/** The files as text: a single file as is, several each under a `==> path <==` line. */
export function plansAsText(plans: OutputPlan[]): string {
  const files = plans.flatMap((p) => p.files);
  if (files.length === 1) return files[0]!.content;
  return files.map((f) => `==> ${f.path} <==\n${f.content}`).join('\n');
}

export interface OneShotResult {
  results: (OutputResult & { reloadErrors: string[] })[];
  warnings: string[];
  ok: boolean;
}

/** Applies each output, then runs its reloads at once (dhcpd's restart included). */
export async function renderOnce(
  config: ConfgenConfig,
  state: SiteState,
  outputs: OutputName[],
  run: CommandRunner,
  now = new Date(),
): Promise<OneShotResult> {
  const plans = await planOutputs(config, state, now, outputs);
  const results: OneShotResult['results'] = [];
  for (const plan of plans) {
    const res = await applyOutput(plan, run);
    const reloadErrors: string[] = [];
    for (const argv of res.reloads) {
      await run(argv).catch((e: Error) => reloadErrors.push(e.message));
    }
    results.push({ ...res, reloadErrors });
  }
  const ok = results.every((r) => r.result !== 'failed' && r.reloadErrors.length === 0);
  return { results, warnings: plans.flatMap((p) => p.warnings), ok };
}

/** The unified diff of every output against the files in place (nothing is written). */
export async function diffOnce(
  config: ConfgenConfig,
  state: SiteState,
  outputs: OutputName[],
  now = new Date(),
): Promise<{ diff: string; warnings: string[] }> {
  const plans = await planOutputs(config, state, now, outputs);
  const parts: string[] = [];
  for (const plan of plans) parts.push(await diffOutput(plan));
  return { diff: parts.join(''), warnings: plans.flatMap((p) => p.warnings) };
}

/** One line per output for humans: what was written, removed, refused. */
export function summarize(result: OneShotResult): string[] {
  return result.results.map((r) => {
    const parts = [`${r.name}: ${r.result}`];
    if (r.written.length) parts.push(`wrote ${r.written.join(', ')}`);
    if (r.removed.length) parts.push(`removed ${r.removed.join(', ')}`);
    for (const f of r.failures) parts.push(`FAILED ${f.reason}`);
    for (const e of r.reloadErrors) parts.push(`RELOAD FAILED ${e}`);
    return parts.join('; ');
  });
}
