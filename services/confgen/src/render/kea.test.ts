import { describe, expect, it } from 'vitest';
import { keaOutputSchema } from '../config.ts';
import { buildDhcpView } from '../dhcp-view.ts';
import { MACHINES, sadmPlan } from '../testing/fixtures.ts';
import { renderKea } from './kea.ts';

const output = keaOutputSchema.parse({});
const render = () => JSON.parse(renderKea(buildDhcpView(sadmPlan(), MACHINES), output)).Dhcp4;
type Cls = {
  name: string;
  test?: string;
  'boot-file-name'?: string;
  'option-data'?: any[];
  'valid-lifetime'?: number;
};

describe('renderKea', () => {
  const dhcp4 = render();
  const classes: Cls[] = dhcp4['client-classes'];
  const byName = (name: string) => classes.find((c) => c.name === name)!;
  // users and servers share 192.168.0.0/23 by their netmask: one Kea subnet (Kea sends the
  // subnet's own mask as option 1).
  const [lan, aliens] = dhcp4.subnet4;
  const users = lan;

  it('has one subnet per plan subnet, with options and next-server', () => {
    expect(dhcp4.subnet4.map((s: any) => [s.subnet, s.comment])).toEqual([
      ['192.168.0.0/23', 'lanctl subnet users + servers'],
      ['192.168.250.0/24', 'lanctl subnet aliens'],
    ]);
    expect(users['next-server']).toBe('192.168.1.254');
    expect(users['option-data']).toEqual([
      { name: 'routers', data: '192.168.1.254' },
      { name: 'domain-name-servers', data: '192.168.1.254' },
    ]);
    expect(aliens['option-data'][0]).toEqual({ name: 'routers', data: '192.168.250.254' });
    expect(dhcp4['option-data']).toEqual([{ name: 'domain-name', data: 'prolo' }]);
    expect(dhcp4['valid-lifetime']).toBe(14400);
    expect(dhcp4['lease-database']).toMatchObject({ type: 'memfile', persist: true });
    expect(dhcp4['control-socket']['socket-type']).toBe('unix');
  });

  it('reserves each machine in its subnet with a boot profile class', () => {
    expect(
      lan.reservations.map((r: any) => [r['hw-address'], r['ip-address'], r.hostname]),
    ).toEqual([
      ['52:54:00:00:00:01', '192.168.0.10', 'pas-r01p01'],
      ['52:54:00:00:00:02', '192.168.0.11', 'pas-r01p02'],
      ['52:54:00:00:01:00', '192.168.1.10', 'rfs0'],
    ]);
    expect(aliens.reservations).toEqual([]);
    const [plain, faulty] = lan.reservations.slice(0, 2).map((r: any) => r['client-classes'][0]);
    expect(plain).not.toBe(faulty);
    expect(byName(`${plain}-bios`)['boot-file-name']).toBe('undionly.kpxe');
    expect(byName(`${plain}-uefi`)['boot-file-name']).toBe('snponly.efi');
    expect(byName(`${plain}-ipxe`)['boot-file-name']).toBe('http://netboot/bootstrap');
    const service = lan.reservations[2]['client-classes'][0];
    expect(byName(`${service}-bios`)['boot-file-name']).toBe('arch.kpxe');
    const scriptlet = (c: Cls) => c['option-data']!.find((o) => o.code === 81)?.data;
    expect(scriptlet(byName(`${faulty}-ipxe`))).toBe('faulty');
    expect(scriptlet(byName(`${plain}-ipxe`))).toBeUndefined();
  });

  it('gives aliens the dynamic range, its lease time and the alien scriptlet', () => {
    expect(aliens.pools).toEqual([{ pool: '192.168.250.1 - 192.168.250.200' }]);
    expect(aliens['valid-lifetime']).toBe(30);
    expect(byName('lanctl-known')['valid-lifetime']).toBe(14400);
    const ipxe = byName('alien-aliens-ipxe');
    expect(ipxe.test).toBe("member('UNKNOWN') and member('ipxe')");
    expect(ipxe['option-data']).toContainEqual({
      space: 'ipxe',
      name: 'scriptlet',
      code: 81,
      data: 'alien',
    });
    expect(aliens['require-client-classes']).toContain('alien-aliens-bios');
    expect(users['require-client-classes']).not.toContain('alien-aliens-bios');
  });

  it('defines option 175 as an encapsulated iPXE space with sub-option 81', () => {
    expect(dhcp4['option-def']).toContainEqual({
      space: 'dhcp4',
      name: 'ipxe-encap-opts',
      code: 175,
      type: 'empty',
      encapsulate: 'ipxe',
    });
    expect(dhcp4['option-def']).toContainEqual({
      space: 'ipxe',
      name: 'scriptlet',
      code: 81,
      type: 'string',
    });
  });

  it('keeps profile class names when other machines change', () => {
    const other = buildDhcpView(sadmPlan(), MACHINES.slice(1));
    const tag = (v: typeof other) =>
      v.subnets[0]!.hosts.find((h) => h.hostname === 'pas-r01p02')!.profile.tag;
    expect(tag(other)).toBe(tag(buildDhcpView(sadmPlan(), MACHINES)));
  });
});

describe('renderKea shared networks', () => {
  it('groups the subnets of one interface into a shared network (SADM prolo-lan)', () => {
    const plan = sadmPlan();
    for (const s of plan.subnets) s.interface = 'eth0';
    const dhcp4 = JSON.parse(renderKea(buildDhcpView(plan, MACHINES), output)).Dhcp4;
    expect(dhcp4.subnet4).toEqual([]);
    expect(dhcp4['shared-networks']).toHaveLength(1);
    const [net] = dhcp4['shared-networks'];
    expect(net.interface).toBe('eth0');
    expect(net.subnet4.map((s: any) => [s.id, s.subnet, s.interface])).toEqual([
      [1, '192.168.0.0/23', undefined],
      [2, '192.168.250.0/24', undefined],
    ]);
    expect(dhcp4['interfaces-config'].interfaces).toEqual(['eth0']);
  });
});

describe('renderKea widened subnets', () => {
  it('refuses subnets merged by their netmask that disagree, naming the field', () => {
    const plan = sadmPlan();
    plan.subnets[1]!.next_server = '192.168.1.253';
    expect(() => renderKea(buildDhcpView(plan, MACHINES), output)).toThrow(
      'kea: subnets users and servers share 192.168.0.0/23 (netmask) but differ in next_server',
    );
  });
});
