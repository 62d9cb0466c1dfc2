import { describe, expect, it } from 'vitest';
import { buildDhcpView } from '../dhcp-view.ts';
import { MACHINES, machine, sadmPlan } from '../testing/fixtures.ts';
import { renderDhcpd } from './dhcpd.ts';

describe('renderDhcpd (SADM generated.conf)', () => {
  it("writes SADM's host blocks, tab-indented, separated by a blank line", () => {
    const view = buildDhcpView(sadmPlan(), MACHINES.slice(0, 1).concat(MACHINES[2]!));
    expect(renderDhcpd(view)).toBe(
      [
        'host pas-r01p01 {',
        '\thardware ethernet 52:54:00:00:00:01;',
        '\tfixed-address 192.168.0.10;',
        '\toption host-name "pas-r01p01";',
        '}',
        '',
        'host rfs0 {',
        '\thardware ethernet 52:54:00:00:01:00;',
        '\tfixed-address 192.168.1.10;',
        '\toption host-name "rfs0";',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('leaves out machines in no subnet of the plan, and is empty without machines', () => {
    const view = buildDhcpView(sadmPlan(), [machine('stray', '10.1.2.3', '52:54:00:00:09:09')]);
    expect(view.unplaced.map((m) => m.hostname)).toEqual(['stray']);
    expect(renderDhcpd(view)).toBe('');
  });
});
