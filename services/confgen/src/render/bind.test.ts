import { buildZones, dnsPlanSchema } from '@lanctl/dns-wire';
import { describe, expect, it } from 'vitest';
import { bindOutputSchema } from '../config.ts';
import { MACHINES, machine, POOLS } from '../testing/fixtures.ts';
import { renderBind, serialOf } from './bind.ts';

const plan = dnsPlanSchema.parse({});
const output = bindOutputSchema.parse({ zone_dir: '/z' });
const day1 = new Date('2026-11-22T10:00:00Z');
const day2 = new Date('2026-11-23T10:00:00Z');

describe('renderBind', () => {
  const set = buildZones(plan, MACHINES, POOLS);
  const first = renderBind(set, new Map(), output, day1);
  const files = new Map(first.zones.map((z) => [z.file, z.content]));

  it('writes one file per zone with $TTL, SOA (date serial) and the records', () => {
    expect(first.zones.map((z) => z.file)).toEqual([
      'normal.prolo.zone',
      'normal.0.168.192.in-addr.arpa.zone',
      'normal.1.168.192.in-addr.arpa.zone',
      'normal.2.168.192.in-addr.arpa.zone',
      'normal.250.168.192.in-addr.arpa.zone',
      'alien.prolo.zone',
      'alien.250.168.192.in-addr.arpa.zone',
    ]);
    const fwd = files.get('normal.prolo.zone')!;
    expect(fwd).toContain('$ORIGIN prolo.\n$TTL 10\n');
    expect(fwd).toContain(
      'prolo.\t10\tIN\tSOA\tns.prolo. hostmaster.ns.prolo. 2026112200 1200 60 360000 10',
    );
    expect(fwd).toContain('pc1.prolo.\t10\tIN\tA\t192.168.0.10');
    expect(serialOf(fwd)).toBe(2026112200);
    expect(files.get('normal.0.168.192.in-addr.arpa.zone')).toContain(
      '10.0.168.192.in-addr.arpa.\t10\tIN\tPTR\tpas-r01p01.prolo.',
    );
  });

  it('writes views: alien first with its clients, then normal for any', () => {
    expect(first.conf).toContain('view "alien" {\n\tmatch-clients { 192.168.250.0/24; };');
    expect(first.conf).toContain('view "normal" {\n\tmatch-clients { any; };');
    expect(first.conf).toContain('\tzone "prolo" { type master; file "/z/alien.prolo.zone"; };');
  });

  it('keeps every serial when nothing changed, even days later', () => {
    const again = renderBind(set, files, output, day2);
    expect(again.zones.map((z) => z.content)).toEqual(first.zones.map((z) => z.content));
  });

  it('changes the serial only of the zones whose content changed', () => {
    const more = [...MACHINES, machine('pas-r01p03', '192.168.0.12', '52:54:00:00:00:03')];
    const next = renderBind(buildZones(plan, more, POOLS), files, output, day1);
    const changed = next.zones.filter((z) => z.content !== files.get(z.file)).map((z) => z.file);
    expect(changed).toEqual(['normal.prolo.zone', 'normal.0.168.192.in-addr.arpa.zone']);
    expect(next.zones[0]!.serial).toBe(2026112201);
    expect(next.zones[2]!.serial).toBe(2026112200);
  });

  it('gives a hand-edited zone file a new serial', () => {
    const edited = new Map(files);
    edited.set('alien.prolo.zone', `${files.get('alien.prolo.zone')}evil\t10\tIN\tA\t1.2.3.4\n`);
    const next = renderBind(set, edited, output, day1);
    expect(next.zones.find((z) => z.file === 'alien.prolo.zone')!.serial).toBe(2026112201);
  });
});
