import type { Machine, Pool } from '@lanctl/model';
import { machineRecord, poolRecord } from '@lanctl/testkit';
import { describe, expect, it } from 'vitest';
import { dnsPlanSchema } from './plan.ts';
import { buildZones, nextSerials, soaRecord, type Zone, zoneDigest } from './zones.ts';

const machine = (hostname: string, ip: string, aliases: string[] = []): Machine =>
  machineRecord({ hostname, ip, aliases });
const pool = (name: string, network: string): Pool => poolRecord(name, network);

const plan = dnsPlanSchema.parse({});
const pools = [pool('user', '192.168.0.0/24'), pool('service', '192.168.1.0/24')];
const machines = [
  machine('pc1', '192.168.0.10', ['web', 'rfs0']),
  machine('gw', '192.168.1.254'),
  machine('stray', '10.0.0.1'),
];

const byId = (zones: Zone[], id: string) => {
  const z = zones.find((x) => x.id === id);
  if (!z) throw new Error(`no zone ${id}`);
  return z;
};
const lines = (z: Zone) => z.records.map((r) => `${r.name} ${r.type} ${r.data}`);

describe('dnsPlanSchema', () => {
  it('has SADM defaults', () => {
    expect(plan).toMatchObject({
      zone: 'prolo',
      ttl: 10,
      soa: { refresh: 1200, retry: 60, expire: 360000, minimum: 10 },
      ns: { name: 'ns', address: '192.168.1.254' },
      alien: { networks: ['192.168.250.0/24'] },
      upstreams: [],
    });
  });

  it('names the bad field', () => {
    const r = dnsPlanSchema.safeParse({ upstreams: ['1.2.3'], allow: ['10.0.0.1/8'] });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(['allow.0', 'upstreams.0']);
  });
});

describe('buildZones', () => {
  const set = buildZones(plan, machines, pools);

  it('builds the forward zone with A records for hostnames and aliases', () => {
    expect(lines(byId(set.zones, 'normal/prolo.'))).toEqual([
      'gw.prolo. A 192.168.1.254',
      'ns.prolo. A 192.168.1.254',
      'pc1.prolo. A 192.168.0.10',
      'prolo. NS ns.prolo.',
      'rfs0.prolo. A 192.168.0.10',
      'stray.prolo. A 10.0.0.1',
      'web.prolo. A 192.168.0.10',
    ]);
  });

  it('puts PTRs in the reverse zone of the pool holding the address', () => {
    expect(lines(byId(set.zones, 'normal/0.168.192.in-addr.arpa.'))).toEqual([
      '0.168.192.in-addr.arpa. NS ns.prolo.',
      '10.0.168.192.in-addr.arpa. PTR pc1.prolo.',
    ]);
    expect(lines(byId(set.zones, 'normal/1.168.192.in-addr.arpa.'))).toContain(
      '254.1.168.192.in-addr.arpa. PTR gw.prolo.',
    );
    expect(set.warnings).toEqual(['1 machine(s) outside every pool have no PTR record']);
  });

  it('builds the alien reverse zone and the alien view', () => {
    const rev = lines(byId(set.zones, 'normal/250.168.192.in-addr.arpa.'));
    expect(rev).toHaveLength(1 + 254);
    expect(rev).toContain('1.250.168.192.in-addr.arpa. PTR unknown-1.alien.prolo.');
    expect(rev).toContain('254.250.168.192.in-addr.arpa. PTR gw.alien.prolo.');
    expect(lines(byId(set.zones, 'alien/prolo.'))).toEqual([
      'netboot.prolo. A 192.168.250.254',
      'ns.prolo. A 192.168.250.254',
      'prolo. NS ns.prolo.',
    ]);
    expect(byId(set.zones, 'alien/250.168.192.in-addr.arpa.').records).toHaveLength(255);
    expect(set.views[0]).toEqual({ name: 'alien', clients: ['192.168.250.0/24'] });
  });

  it('slices pools wider than /24 and skips those wider than /16', () => {
    const wide = buildZones(
      plan,
      [machine('a', '10.1.1.5')],
      [pool('big', '10.1.0.0/23'), pool('huge', '10.0.0.0/8')],
    );
    const ids = wide.zones.map((z) => z.id);
    expect(ids).toContain('normal/0.1.10.in-addr.arpa.');
    expect(lines(byId(wide.zones, 'normal/1.1.10.in-addr.arpa.'))).toContain(
      '5.1.1.10.in-addr.arpa. PTR a.prolo.',
    );
    expect(wide.warnings).toContain('10.0.0.0/8: wider than /16, no reverse zone');
  });

  it('renders the SOA with a serial', () => {
    expect(soaRecord(byId(set.zones, 'normal/prolo.'), 2026112200).data).toBe(
      'ns.prolo. hostmaster.ns.prolo. 2026112200 1200 60 360000 10',
    );
  });
});

describe('nextSerials', () => {
  const day1 = new Date('2026-11-22T10:00:00Z');
  const first = nextSerials({}, buildZones(plan, machines, pools).zones, day1);

  it('starts new zones at YYYYMMDD00', () => {
    expect(first['normal/prolo.']?.serial).toBe(2026112200);
  });

  it('changes only the serials of zones whose content changed, monotonically', () => {
    const changed = [...machines, machine('pc2', '192.168.0.11')];
    const zones = buildZones(plan, changed, pools).zones;
    const second = nextSerials(first, zones, day1);
    expect(second['normal/prolo.']?.serial).toBe(2026112201);
    expect(second['normal/0.168.192.in-addr.arpa.']?.serial).toBe(2026112201);
    expect(second['normal/1.168.192.in-addr.arpa.']).toEqual(
      first['normal/1.168.192.in-addr.arpa.'],
    );
    expect(second['alien/prolo.']).toEqual(first['alien/prolo.']);
    const again = nextSerials(second, zones, new Date('2026-11-23T00:00:00Z'));
    expect(again).toEqual(second);
    const later = nextSerials(
      second,
      buildZones(plan, machines, pools).zones,
      new Date('2026-11-23T00:00:00Z'),
    );
    expect(later['normal/prolo.']?.serial).toBe(2026112300);
  });

  it('digests ignore record order of input but not content', () => {
    const a = buildZones(plan, machines, pools).zones[0] as Zone;
    const b = buildZones(plan, [...machines].reverse(), pools).zones[0] as Zone;
    expect(zoneDigest(a)).toBe(zoneDigest(b));
    const c = buildZones({ ...plan, ttl: 20 }, machines, pools).zones[0] as Zone;
    expect(zoneDigest(c)).not.toBe(zoneDigest(a));
  });
});
