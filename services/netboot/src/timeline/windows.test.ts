import type { DhcpBootEvent, NetbootEvent, TftpTransfer } from '@lanctl/boot';
import { describe, expect, it } from 'vitest';
import { addressWindows, ownNetbootEvents, ownTransfers } from './windows.ts';

const A = '52:54:00:00:00:0a';
const B = '52:54:00:00:00:0b';
const at = (hhmm: string) => `2026-11-22T${hhmm}:00.000Z`;
const ms = (hhmm: string) => Date.parse(at(hhmm));

const dhcp = (time: string, type: string, address: string): DhcpBootEvent => ({
  at: at(time),
  mac: A,
  type,
  xid: 1,
  address,
  kind: 'ipxe',
  relay: null,
  detail: null,
});

const net = (time: string, ip: string, mac: string | null): NetbootEvent => ({
  at: ms(time),
  ip,
  mac,
  kind: 'menu',
  path: '/register/menu',
  status: 200,
  outcome: 'menu',
  detail: null,
});

const tftp = (time: string, ip: string) => ({ at: at(time), ip }) as TftpTransfer;

describe('whose events are whose when alien addresses are reused', () => {
  // A boots as an alien from .250.5 at 08:00, registers, boots from its fixed .0.12 at 08:03;
  // B gets .250.5 at 09:00 and opens the menu.
  const windows = addressWindows('192.168.0.12', [
    dhcp('08:00', 'OFFER', '192.168.250.5'),
    dhcp('08:00', 'ACK', '192.168.250.5'),
    dhcp('08:03', 'ACK', '192.168.0.12'),
  ]);

  it("keeps A's own alien-time events and leaves B's out", () => {
    const events = [
      net('08:01', '192.168.250.5', A),
      net('08:02', '192.168.250.5', null),
      net('08:04', '192.168.0.12', A),
      net('09:00', '192.168.250.5', B),
      net('09:01', '192.168.250.5', null),
    ];
    expect(ownNetbootEvents(windows, A, events, true).map((e) => e.at)).toEqual([
      ms('08:01'),
      ms('08:02'),
      ms('08:04'),
    ]);
    expect(
      ownTransfers(windows, [tftp('08:00', '192.168.250.5'), tftp('09:00', '192.168.250.5')]),
    ).toHaveLength(1);
  });

  it("does not believe a request naming A's MAC from an address that was not A's", () => {
    const spoofed = net('10:00', '192.168.0.99', A);
    expect(ownNetbootEvents(windows, A, [spoofed], true)).toEqual([]);
    // Without DHCP's records there is nothing better than the MAC the request names.
    expect(ownNetbootEvents(windows, A, [spoofed], false)).toEqual([spoofed]);
  });

  it('gives the fixed address for all time, and reopens an alien address given again', () => {
    const again = addressWindows(null, [
      dhcp('08:00', 'ACK', '192.168.250.5'),
      dhcp('08:10', 'ACK', '192.168.250.9'),
      dhcp('08:20', 'ACK', '192.168.250.5'),
    ]);
    expect(again.get('192.168.250.5')).toEqual([
      [ms('08:00') - 1000, ms('08:10')],
      [ms('08:20') - 1000, Infinity],
    ]);
    expect(addressWindows('192.168.0.12', []).get('192.168.0.12')).toEqual([[-Infinity, Infinity]]);
  });
});
