import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTimeline } from './format.ts';
import { fromDhcp, fromNetboot, fromTftp } from './sources.ts';
import { lastBoot } from './timeline.ts';
import type { DhcpBootEvent, NetbootEvent, TftpTransfer, TimelineEvent } from './types.ts';

const MAC = '52:54:00:12:34:56';
const IP = '192.168.0.11';
const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

/** Both DHCP steps of one exchange (request, then the server's answer), as dhcp stores them. */
function dhcp(ms: number, kind: string, file: string | null, xid = ms): DhcpBootEvent[] {
  const base = { mac: MAC, xid, kind, relay: null };
  return [
    { ...base, at: iso(ms), type: 'DISCOVER', address: null, detail: null },
    { ...base, at: iso(ms), type: 'OFFER', address: IP, detail: file },
    { ...base, at: iso(ms + 5), type: 'REQUEST', address: IP, detail: null },
    { ...base, at: iso(ms + 5), type: 'ACK', address: IP, detail: file },
  ];
}

function tftp(ms: number, file: string, outcome: TftpTransfer['outcome'], bytes = 0): TftpTransfer {
  const tsize = 1_048_576;
  return {
    at: iso(ms),
    ip: IP,
    file,
    resolved: file,
    blksize: 1468,
    tsize,
    bytes,
    duration_ms: 40,
    outcome,
    detail: null,
  };
}

function net(
  ms: number,
  kind: NetbootEvent['kind'],
  outcome: string,
  over: Partial<NetbootEvent> = {},
): NetbootEvent {
  const path = kind === 'bootstrap' ? '/bootstrap' : kind === 'script' ? `/boot/${MAC}/` : '/x';
  return {
    at: T0 + ms,
    ip: IP,
    mac: null,
    kind,
    path,
    status: 200,
    outcome,
    detail: null,
    ...over,
  };
}

const file = (ms: number, role: 'kernel' | 'initrd', outcome = 'done', status = 200) =>
  net(ms, 'file', outcome, {
    path: role === 'kernel' ? '/rfs/vmlinuz-linux' : '/rfs/initramfs-linux.img',
    file_role: role,
    status,
    bytes: role === 'kernel' ? 8 << 20 : 30 << 20,
    size: role === 'kernel' ? 8 << 20 : 30 << 20,
    duration_ms: 2100,
  });

const join = (d: DhcpBootEvent[], t: TftpTransfer[], n: NetbootEvent[]): TimelineEvent[] => [
  ...fromDhcp(d),
  ...fromTftp(t),
  ...fromNetboot(n),
];

const uefiBoot = (at: number) => ({
  dhcp: [
    ...dhcp(at, 'uefi', 'snponly.efi'),
    ...dhcp(at + 4000, 'ipxe', 'http://10.0.0.1/bootstrap'),
  ],
  tftp: [
    tftp(at + 100, 'snponly.efi', 'size-probe'),
    tftp(at + 200, 'snponly.efi', 'done', 1_048_576),
  ],
  net: [
    net(at + 4100, 'bootstrap', 'served'),
    net(at + 4200, 'script', 'boot', { mac: MAC, profile: 'contestant' }),
    file(at + 4300, 'kernel'),
    file(at + 6500, 'initrd'),
  ],
});

describe('lastBoot', () => {
  it('follows a UEFI boot from firmware DHCP to Linux', () => {
    const b = uefiBoot(0);
    const s = lastBoot(join(b.dhcp, b.tftp, b.net));
    expect(s.stage).toBe('loaded');
    expect(s.ok).toBe(true);
    expect(s.verdict).toBe('kernel and initrd loaded: handed over to Linux');
    expect(s.events.map((e) => e.stage)).toEqual([
      ...Array(4).fill('dhcp-firmware'),
      'tftp',
      'tftp',
      ...Array(4).fill('dhcp-ipxe'),
      'bootstrap',
      'script',
      'kernel',
      'initrd',
    ]);
    expect(s.events[0]!.summary).toBe('DHCP DISCOVER (UEFI firmware)');
    expect(s.events[3]!.summary).toBe(
      'DHCP ACK 192.168.0.11 (UEFI firmware), boot file snponly.efi',
    );
    expect(s.events[4]!.summary).toBe('TFTP snponly.efi size probe (1 MiB)');
    expect(s.events[5]!.summary).toBe('TFTP snponly.efi 1 MiB in 40 ms');
    expect(s.events[11]!.summary).toBe('boot script: profile contestant');
    expect(s.events[13]!.summary).toBe('initrd initramfs-linux.img 30 MiB in 2.1 s');
    expect(s.started_at).toBe(iso(0));
    expect(s.last_at).toBe(iso(6500));
  });

  it('follows a BIOS boot (iPXE in the NIC ROM: no firmware DHCP, no TFTP)', () => {
    const d = dhcp(0, 'ipxe', 'http://10.0.0.1/bootstrap');
    const n = [
      net(100, 'bootstrap', 'served'),
      net(200, 'script', 'boot', { profile: 'contestant' }),
    ];
    const s = lastBoot(join(d, [], [...n, file(300, 'kernel'), file(900, 'initrd')]));
    expect(s).toMatchObject({ stage: 'loaded', ok: true });
    expect(s.events[3]!.summary).toBe(
      'DHCP ACK 192.168.0.11 (iPXE), boot file http://10.0.0.1/bootstrap',
    );
  });

  it('says where a boot stopped: after DHCP, after TFTP, before the initrd', () => {
    const afterDhcp = lastBoot(fromDhcp(dhcp(0, 'bios', 'undionly.kpxe')));
    expect(afterDhcp).toMatchObject({ stage: 'dhcp-firmware', ok: false });
    expect(afterDhcp.verdict).toBe('stopped after DHCP (firmware): no TFTP request');

    const d = dhcp(0, 'bios', 'undionly.kpxe');
    const afterTftp = lastBoot(join(d, [tftp(100, 'undionly.kpxe', 'done', 72_000)], []));
    expect(afterTftp.stage).toBe('tftp');
    expect(afterTftp.verdict).toBe('stopped after TFTP of undionly.kpxe: no iPXE DHCP request');

    const lost = lastBoot(join(d, [tftp(100, 'undionly.kpxe', 'not-found')], []));
    expect(lost.verdict).toBe('TFTP stopped: undionly.kpxe not found');
    expect(lost.events.at(-1)!.ok).toBe(false);

    const b = uefiBoot(0);
    const noInitrd = lastBoot(join(b.dhcp, b.tftp, b.net.slice(0, 3)));
    expect(noInitrd).toMatchObject({
      stage: 'kernel',
      ok: false,
      verdict: 'kernel loaded, no initrd request',
    });

    const failed = lastBoot(
      join(b.dhcp, b.tftp, [...b.net.slice(0, 3), file(6500, 'initrd', 'queue-full', 503)]),
    );
    expect(failed.verdict).toBe(
      'download failed: initrd initramfs-linux.img: queue-full (HTTP 503) after 30 MiB of 30 MiB',
    );
  });

  it('reports a faulty machine refused by the boot script', () => {
    const d = dhcp(0, 'ipxe', 'http://10.0.0.1/bootstrap');
    const n = [
      net(100, 'bootstrap', 'served'),
      net(200, 'script', 'faulty', { status: 403, detail: 'bad disk' }),
    ];
    const s = lastBoot(join(d, [], n));
    expect(s).toMatchObject({ stage: 'script', ok: false });
    expect(s.verdict).toBe('boot script refused: machine is faulty (bad disk)');
  });

  it('shows an alien in the registration menu, then its registration', () => {
    const d = dhcp(0, 'ipxe', 'http://10.0.0.1/bootstrap');
    const menu = [
      net(100, 'bootstrap', 'served'),
      net(200, 'script', 'unknown'),
      net(300, 'menu', 'hostname'),
      net(900, 'menu', 'room'),
    ];
    const waiting = lastBoot(join(d, [], menu));
    expect(waiting).toMatchObject({ stage: 'registration', ok: false });
    expect(waiting.verdict).toBe('registration menu shown, no registration');
    expect(waiting.events.at(-1)!.summary).toBe('registration menu: room');

    const refused = [
      ...menu,
      net(1000, 'register', 'duplicate', { status: 409, detail: 'hostname taken' }),
    ];
    expect(lastBoot(join(d, [], refused)).verdict).toBe('registration duplicate: hostname taken');
    const done = [...menu, net(1000, 'register', 'registered', { detail: 'r01p02' })];
    expect(lastBoot(join(d, [], done)).verdict).toBe('registered as r01p02: no boot script since');
  });

  it('keeps only the last of two boots in a row', () => {
    const first = uefiBoot(0);
    const second = uefiBoot(60_000);
    const all = join(
      [...first.dhcp, ...second.dhcp],
      [...first.tftp, ...second.tftp.slice(0, 1)],
      first.net,
    );
    const s = lastBoot(all);
    expect(s.started_at).toBe(iso(60_000));
    expect(s.events.every((e) => Date.parse(e.at) >= T0 + 60_000)).toBe(true);
    // The second boot's iPXE DHCP came after a size probe only: it never downloaded snponly.efi.
    expect(s.stage).toBe('dhcp-ipxe');
  });

  it('starts a new boot at an iPXE DHCP after the bootstrap stage', () => {
    const d = [...dhcp(0, 'ipxe', 'b'), ...dhcp(1000, 'ipxe', 'b')];
    const s = lastBoot(join(d, [], [net(100, 'bootstrap', 'served')]));
    expect(s.started_at).toBe(iso(1000));
    expect(s.verdict).toBe('stopped after DHCP (iPXE): no bootstrap request');
  });

  it('starts a new boot after a pause longer than 5 minutes', () => {
    const d = dhcp(0, 'ipxe', 'b');
    const late = [net(5 * 60_000 + 10, 'bootstrap', 'served')];
    const s = lastBoot(join(d, [], late));
    expect(s.events).toHaveLength(1);
    expect(s.stage).toBe('bootstrap');
    const soon = lastBoot(join(d, [], [net(4 * 60_000, 'bootstrap', 'served')]));
    expect(soon.events).toHaveLength(5);
  });

  it("keeps the booted system's own DHCP and renewals in the finished boot", () => {
    const b = uefiBoot(0);
    const linux = dhcp(20_000, 'bios', null, 7);
    const renew = [
      {
        at: iso(3_600_000),
        mac: MAC,
        type: 'REQUEST',
        xid: 8,
        address: IP,
        kind: 'bios',
        relay: null,
        detail: null,
      },
      {
        at: iso(3_600_000),
        mac: MAC,
        type: 'ACK',
        xid: 8,
        address: IP,
        kind: 'bios',
        relay: null,
        detail: null,
      },
    ];
    const s = lastBoot(join([...b.dhcp, ...linux, ...renew], b.tftp, b.net));
    expect(s).toMatchObject({ stage: 'loaded', ok: true });
    expect(s.events.at(-1)!.summary).toBe('DHCP ACK 192.168.0.11 (booted system)');
    // A reboot an hour later is a new boot, stuck after its firmware DHCP.
    const reboot = lastBoot(
      join([...b.dhcp, ...dhcp(3_600_000, 'bios', 'undionly.kpxe')], b.tftp, b.net),
    );
    expect(reboot).toMatchObject({ stage: 'dhcp-firmware', ok: false });
  });

  it('answers for no events', () => {
    expect(lastBoot([])).toEqual({
      started_at: null,
      last_at: null,
      stage: null,
      ok: false,
      verdict: 'no boot recorded',
      events: [],
    });
  });

  it('never throws and keeps a sorted subset, whatever the events', () => {
    const stage = fc.constantFrom(
      'dhcp-firmware',
      'tftp',
      'dhcp-ipxe',
      'bootstrap',
      'script',
      'registration',
      'kernel',
      'initrd',
    ) as fc.Arbitrary<TimelineEvent['stage']>;
    const event = fc.record({
      at: fc.integer({ min: 0, max: 3_600_000 }).map(iso),
      source: fc.constantFrom('dhcp', 'tftp', 'netboot', 'files') as fc.Arbitrary<
        TimelineEvent['source']
      >,
      stage,
      ok: fc.boolean(),
      summary: fc.string(),
      ip: fc.constant(null),
      detail: fc.record({
        type: fc.constantFrom('DISCOVER', 'ACK', 'REQUEST'),
        outcome: fc.string(),
      }),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const s = lastBoot(events);
        expect(s.events.length).toBeLessThanOrEqual(events.length);
        const times = s.events.map((e) => Date.parse(e.at));
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(typeof s.verdict).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});

describe('formatTimeline', () => {
  it('prints one line per event with its offset, then the verdict', () => {
    const b = uefiBoot(0);
    const text = formatTimeline(lastBoot(join(b.dhcp, b.tftp, b.net)));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`boot started ${iso(0)}`);
    expect(lines[1]).toBe('10:00:00.000      +0 ms  dhcp    ok  DHCP DISCOVER (UEFI firmware)');
    expect(lines).toContain(
      '10:00:06.500     +6.5 s  files   ok  initrd initramfs-linux.img 30 MiB in 2.1 s  [192.168.0.11]',
    );
    expect(lines.at(-1)).toBe(
      'verdict: kernel and initrd loaded: handed over to Linux (stage loaded)',
    );
    expect(formatTimeline(lastBoot([]), { color: true })).toContain(
      '\x1b[31mverdict: no boot recorded',
    );
  });
});
