import type { DhcpView } from '../dhcp-view.ts';

/**
 * ISC dhcpd host blocks in SADM's exact format (mdbdhcp's generated.conf, `include`d by the static
 * dhcpd.conf): `host <hostname> {`, tab-indented `hardware ethernet`, `fixed-address`,
 * `option host-name`, `}`, blocks separated by a blank line. Subnets and boot files stay in the
 * static dhcpd.conf, as on SADM sites.
 */
export function renderDhcpd(view: DhcpView): string {
  const blocks = view.subnets.flatMap((s) =>
    s.hosts.map((h) =>
      [
        `host ${h.hostname} {`,
        `\thardware ethernet ${h.mac};`,
        `\tfixed-address ${h.ip};`,
        `\toption host-name "${h.hostname}";`,
        '}',
      ].join('\n'),
    ),
  );
  return blocks.length === 0 ? '' : `${blocks.join('\n\n')}\n`;
}
