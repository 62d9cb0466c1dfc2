import type { Command } from 'commander';
import { addWord, run } from '../command.ts';
import { diffSite, renderSite, type SiteOptions, siteCommand } from './dhcp.ts';

/**
 * `lanctl dns render|diff`: BIND zone files and the views fragment of `lanctl serve confgen`,
 * once, from mdb's machines and pools and the site config's `dns` plan.
 */
export function registerDns(program: Command): void {
  const dns = addWord(program, 'dns', 'BIND zone files and views from mdb');
  siteCommand(dns, 'render', 'write the zone files (check, then reload only changed zones)')
    .option('--out <dir>', 'write into this directory instead, without reload, or - to print')
    .action(run((o: SiteOptions) => renderSite(o, ['bind'], true)));
  siteCommand(dns, 'diff', 'show what render would change; exit 1 when something would').action(
    (o: SiteOptions) => diffSite(o, ['bind'], true),
  );
}
