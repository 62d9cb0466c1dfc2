import { describe, expect, it } from 'vitest';
import { bootChoice, dhcpPlanSchema, sadmDhcpPlanInput, subnetFor, subnetMask } from './plan.ts';

const plan = dhcpPlanSchema.parse({
  ...sadmDhcpPlanInput(),
  boot: {
    rules: [
      { mtype: 'service', bios_file: 'arch.kpxe' },
      { room: 'cluster', ipxe_url: 'http://netboot/cluster' },
    ],
  },
});
const user = { mtype: 'user', room: 'pasteur', is_faulty: false };

describe('dhcpPlanSchema', () => {
  it("fills SADM's defaults", () => {
    expect(plan.domain).toBe('prolo');
    expect(plan.lease_seconds).toBe(14400);
    expect(plan.boot.bios_file).toBe('undionly.kpxe');
    expect(plan.boot.uefi_file).toBe('snponly.efi');
    expect(plan.boot.ipxe_url).toBe('http://netboot/bootstrap');
    expect(plan.faulty_scriptlet).toBe('faulty');
    expect(plan.subnets[2]!.dynamic).toEqual({
      from: '192.168.250.1',
      to: '192.168.250.200',
      lease_seconds: 30,
      scriptlet: 'alien',
    });
  });

  it('names the field of a bad plan', () => {
    const bad = (subnets: unknown[]) => {
      const r = dhcpPlanSchema.safeParse({ subnets });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    const base = { name: 'a', network: '10.0.0.0/24', next_server: '10.0.0.1' };
    expect(bad([])[0]).toMatch(/^subnets: expected at least one subnet/);
    expect(bad([{ ...base, network: '10.0.0.1/24' }])[0]).toMatch(/^subnets\.0\.network/);
    expect(bad([base, { ...base, network: '10.0.0.0/25' }])).toEqual([
      'subnets.1.name: duplicate subnet name a',
      'subnets.1.network: overlaps subnet a (10.0.0.0/24)',
    ]);
    expect(bad([{ ...base, router: '10.0.1.1' }])).toEqual(['subnets.0.router: not in network']);
    expect(bad([{ ...base, dynamic: { from: '10.0.0.9', to: '10.0.0.255' } }])).toEqual([
      'subnets.0.dynamic.to: not a host address of network',
    ]);
    expect(bad([{ ...base, dynamic: { from: '10.0.0.9', to: '10.0.0.8' } }])).toEqual([
      'subnets.0.dynamic.to: expected from <= to',
    ]);
  });
});

describe('bootChoice', () => {
  it('gives each client kind its file', () => {
    expect(bootChoice(plan, user, 'bios')).toEqual({ filename: 'undionly.kpxe', scriptlet: null });
    expect(bootChoice(plan, user, 'uefi').filename).toBe('snponly.efi');
    expect(bootChoice(plan, user, 'ipxe').filename).toBe('http://netboot/bootstrap');
  });

  it('applies the first matching rule, per machine type and room', () => {
    const service = { ...user, mtype: 'service', room: 'cluster' };
    expect(bootChoice(plan, service, 'bios').filename).toBe('arch.kpxe');
    expect(bootChoice(plan, service, 'ipxe').filename).toBe('http://netboot/bootstrap');
    expect(bootChoice(plan, { ...user, room: 'cluster' }, 'ipxe').filename).toBe(
      'http://netboot/cluster',
    );
  });

  it('marks aliens with their subnet scriptlet and faulty machines with faulty', () => {
    expect(bootChoice(plan, null, 'ipxe', plan.subnets[2])).toEqual({
      filename: 'http://netboot/bootstrap',
      scriptlet: 'alien',
    });
    expect(bootChoice(plan, { ...user, is_faulty: true }, 'ipxe').scriptlet).toBe('faulty');
  });
});

describe('subnetFor', () => {
  it('finds the subnet holding an address', () => {
    expect(subnetFor(plan, '192.168.250.7')?.name).toBe('aliens');
    expect(subnetFor(plan, '192.168.1.254')?.name).toBe('servers');
    expect(subnetFor(plan, '10.0.0.1')).toBeNull();
    expect(subnetFor(plan, 'nope')).toBeNull();
  });
});

describe('subnetMask', () => {
  it("is the network's mask unless netmask widens it", () => {
    expect(subnetMask(plan.subnets[0]!)).toBe('255.255.254.0');
    expect(subnetMask(plan.subnets[2]!)).toBe('255.255.255.0');
  });
});
