import { describe, expect, it } from 'vitest';
import { dnsmasqOutputSchema } from '../config.ts';
import { buildDhcpView } from '../dhcp-view.ts';
import { MACHINES, machine, sadmPlan } from '../testing/fixtures.ts';
import { renderDnsmasq } from './dnsmasq.ts';

const output = dnsmasqOutputSchema.parse({
  hostsdir: '/etc/dnsmasq.d/h',
  conf_path: '/etc/x.conf',
});

describe('renderDnsmasq', () => {
  const view = buildDhcpView(sadmPlan(), MACHINES);
  const { conf, hosts } = renderDnsmasq(view, output);
  const lines = conf.split('\n');
  const tagOf = (name: string) => /set:([^,]+)/.exec(hosts.get(name)!)![1]!;

  it('writes one dhcp-host file per machine placed in a subnet', () => {
    expect([...hosts.keys()]).toEqual(['pas-r01p01', 'pas-r01p02', 'rfs0']);
    expect(hosts.get('pas-r01p01')).toBe(
      `52:54:00:00:00:01,set:${tagOf('pas-r01p01')},192.168.0.10,pas-r01p01,14400\n`,
    );
  });

  it('declares subnets, client kinds and the hostsdir', () => {
    expect(lines).toContain('dhcp-hostsdir=/etc/dnsmasq.d/h');
    expect(lines).toContain('dhcp-range=set:users,192.168.0.0,static,255.255.254.0,14400');
    expect(lines).toContain('dhcp-range=set:aliens,192.168.250.1,192.168.250.200,255.255.255.0,30');
    expect(lines).toContain('dhcp-option=tag:users,option:router,192.168.1.254');
    expect(lines).toContain('dhcp-match=set:ipxe,175');
    expect(lines).toContain('dhcp-userclass=set:ipxe,iPXE');
    expect(lines).toContain('dhcp-match=set:efi,option:client-arch,7');
  });

  it('boots each profile by kind, and aliens with their scriptlet', () => {
    const t = tagOf('rfs0');
    expect(lines).toContain(
      `dhcp-boot=tag:servers,tag:${t},tag:!ipxe,tag:!efi,arch.kpxe,,192.168.1.254`,
    );
    expect(lines).toContain(
      'dhcp-boot=tag:aliens,tag:!known,tag:ipxe,http://netboot/bootstrap,,192.168.250.254',
    );
    expect(lines).toContain('dhcp-option=tag:aliens,tag:!known,tag:ipxe,encap:175,81,"alien"');
    expect(lines).toContain(
      `dhcp-option=tag:${tagOf('pas-r01p02')},tag:ipxe,encap:175,81,"faulty"`,
    );
  });

  it('refuses a value that would break the comma-separated syntax, naming it', () => {
    const plan = sadmPlan();
    plan.boot.bios_file = 'a,b.kpxe';
    const bad = buildDhcpView(plan, [machine('pc', '192.168.0.5', '52:54:00:00:00:05')]);
    expect(() => renderDnsmasq(bad, output)).toThrow('bios boot file "a,b.kpxe"');
  });
});
