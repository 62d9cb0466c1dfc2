import type { Switch } from '@lanctl/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainTo } from '../ipxe.ts';
import { checkScript } from './check-script.testing.ts';
import {
  bootstrapScript,
  type MenuContext,
  menuScript,
  type Planned,
  type RegistrationState,
  switchTable,
} from './menu.ts';

const MAC = '52:54:00:12:34:56';
const MAC_Q = 'mac=52%3A54%3A00%3A12%3A34%3A56';

const sw = (name: string, chassis: string, room: string, rfs: number, hfs: number): Switch => ({
  name,
  chassis,
  room,
  rfs,
  hfs,
});
/** Given out of order: rfs 1 first, then two on rfs 0 (hfs 1 before hfs 0), a name tie on rfs 2. */
const SWITCHES: Switch[] = [
  sw('sw-b', '00:11:22:33:44:02', 'cluster', 2, 0),
  sw('sw-pas-2', '00:11:22:33:44:12', 'pasteur', 0, 1),
  sw('sw-pas-1', '00:11:22:33:44:11', 'pasteur', 0, 0),
  sw('sw-a', '00:11:22:33:44:01', 'cluster', 2, 0),
];

const ctx = (switches: readonly Switch[] = [], over: Partial<MenuContext> = {}): MenuContext => ({
  base: 'http://netboot',
  banner: 'lanctl netboot',
  switches,
  lldpWaitSeconds: 60,
  menuTimeoutSeconds: 15,
  ...over,
});

const open = (...planned: Planned[]): RegistrationState => ({
  open: true,
  closedReason: null,
  planned,
});

/** The menu's items and its choose line. */
const menuOf = (lines: readonly string[]) => ({
  items: lines.filter((l) => l.startsWith('item ')),
  choose: lines.find((l) => l.startsWith('choose ')),
});

const echoed = (lines: readonly string[]) =>
  lines
    .filter((l) => /^echo( |$)/.test(l))
    .map((l) => l.replace(/^echo ?/, ''))
    .join(' ');

const block = (i: number, s: Switch) => [
  `set sw_name_${i} ${s.chassis}`,
  `set sw_rfs_${i} ${s.rfs}`,
  `set sw_hfs_${i} ${s.hfs}`,
  `set sw_room_${i} ${s.room}`,
  '',
];

describe('switchTable', () => {
  it("is SADM's sw_*_i blocks in rfs, hfs, name order", () => {
    const [b, pas2, pas1, a] = SWITCHES as [Switch, Switch, Switch, Switch];
    expect(switchTable(SWITCHES)).toEqual([
      ...block(0, pas1),
      ...block(1, pas2),
      ...block(2, a),
      ...block(3, b),
    ]);
    expect(switchTable([])).toEqual([]);
  });

  it('skips switches whose chassis id or room cannot be said safely, keeping indices dense', () => {
    const unsafe = [
      sw('sw-x', '00:11 && reboot', 'pasteur', 0, 0),
      sw('sw-y', '${evil}', 'pasteur', 0, 0),
      sw('sw-z', '00:11:22:33:44:99', 'a b', 0, 0),
    ];
    const ok = sw('sw-ok', '00:11:22:33:44:55', 'pasteur', 1, 0);
    expect(switchTable([...unsafe, ok])).toEqual(block(0, ok));
  });
});

describe('bootstrapScript', () => {
  it.each([0, 1, 3])('with %i switches: table, alien check, boot script, retry', (n) => {
    const switches = SWITCHES.slice(1, 1 + n);
    const lines = checkScript(bootstrapScript(ctx(switches)));
    expect(lines[0]).toBe('echo lanctl netboot');
    expect(lines.filter((l) => l.startsWith('set sw_name_'))).toHaveLength(n);
    expect(lines.slice(1, 1 + 5 * n)).toEqual(switchTable(switches));
    expect(lines.slice(1 + 5 * n)).toEqual([
      'iseq ${scriptlet} alien && goto lanctl_alien ||',
      chainTo('http://netboot/boot/${mac}/'),
      'exit',
      ':lanctl_alien',
      chainTo('http://netboot/register/menu?mac=${mac}'),
      'exit',
      ':lanctl_failed',
      'echo Could not reach the netboot service; trying again in 10 s.',
      'sleep 10',
      chainTo('http://netboot/bootstrap'),
    ]);
  });
});

describe('menuScript, registration open', () => {
  it('without a planned machine: LLDP, manual, no, shell; no default', () => {
    const lines = checkScript(menuScript(ctx(), MAC, open()));
    const { items, choose } = menuOf(lines);
    expect(items).toEqual([
      'item --key l lldp L. Yes, register it with LLDP (contestant seat)',
      'item --key m manual M. Yes, register it without LLDP',
      'item --key n no N. No: reboot',
      'item --key s shell S. Drop to an iPXE shell',
    ]);
    expect(choose).toBe('choose lanctl_choice || goto lanctl_menu');
    expect(lines).toContain('goto lanctl_${lanctl_choice}');
    expect(echoed(lines)).toContain(`This machine (${MAC}) is not registered.`);
    const manual = lines.indexOf(':lanctl_manual');
    expect(lines[manual + 1]).toBe(chainTo(`http://netboot/register/form?${MAC_Q}&via=manual`));
    expect(lines.slice(lines.indexOf(':lanctl_no'), lines.indexOf(':lanctl_no') + 2)).toEqual([
      ':lanctl_no',
      'reboot',
    ]);
  });

  it("with one room's plan: its item first, taken after the menu timeout", () => {
    const lines = checkScript(
      menuScript(ctx(), MAC, open({ room: 'pasteur', hostname: 'pas-r01p03' })),
    );
    const { items, choose } = menuOf(lines);
    expect(items[0]).toBe(
      'item --key 1 planned_0 1. Next planned machine of room pasteur: pas-r01p03',
    );
    expect(choose).toBe(
      'choose --default planned_0 --timeout 15000 lanctl_choice || goto lanctl_menu',
    );
    const at = lines.indexOf(':lanctl_planned_0');
    expect(lines[at + 1]).toBe(
      chainTo(`http://netboot/register/form?${MAC_Q}&via=planned&room=pasteur`),
    );
  });

  it('with two planned rooms: both items, no default (nobody is there to pick)', () => {
    const lines = checkScript(
      menuScript(
        ctx(),
        MAC,
        open(
          { room: 'pasteur', hostname: 'pas-r01p03' },
          { room: 'turing', hostname: 'tur-r02p01' },
        ),
      ),
    );
    const { items, choose } = menuOf(lines);
    expect(items.slice(0, 2)).toEqual([
      'item --key 1 planned_0 1. Next planned machine of room pasteur: pas-r01p03',
      'item --key 2 planned_1 2. Next planned machine of room turing: tur-r02p01',
    ]);
    expect(choose).toBe('choose lanctl_choice || goto lanctl_menu');
    expect(lines).toContain(':lanctl_planned_1');
  });

  it('gives digit keys to the first nine planned rooms only', () => {
    const planned = Array.from({ length: 11 }, (_, i) => ({ room: `r${i}`, hostname: `h${i}` }));
    const { items } = menuOf(checkScript(menuScript(ctx(), MAC, open(...planned))));
    expect(items[8]).toBe('item --key 9 planned_8 9. Next planned machine of room r8: h8');
    expect(items[9]).toBe('item planned_9 Next planned machine of room r9: h9');
  });

  it('waits for LLDP, then matches the chassis id against each usable switch', () => {
    const lines = checkScript(menuScript(ctx(SWITCHES, { lldpWaitSeconds: 20 }), MAC, open()));
    expect(lines).toContain('iseq ${lanctl_wait} 20 && goto lanctl_lldp_none ||');
    expect(lines).toContain('isset ${netX.lldp/chassisid} && goto lanctl_lldp_seen ||');
    expect(lines.filter((l) => l.startsWith('iseq ${netX.lldp/chassisid} '))).toEqual([
      'iseq ${netX.lldp/chassisid} 00:11:22:33:44:11 && goto lanctl_lldp_sw_0 ||',
      'iseq ${netX.lldp/chassisid} 00:11:22:33:44:12 && goto lanctl_lldp_sw_1 ||',
      'iseq ${netX.lldp/chassisid} 00:11:22:33:44:01 && goto lanctl_lldp_sw_2 ||',
      'iseq ${netX.lldp/chassisid} 00:11:22:33:44:02 && goto lanctl_lldp_sw_3 ||',
    ]);
    const at = lines.indexOf(':lanctl_lldp_sw_1');
    expect(lines[at + 1]).toBe('echo Switch sw-pas-2: room pasteur, rfs0, hfs1.');
    expect(lines[at + 2]).toBe(
      chainTo(
        `http://netboot/register/form?${MAC_Q}&via=lldp&room=pasteur&rfs=0&hfs=1&chassis=00%3A11%3A22%3A33%3A44%3A12`,
      ),
    );
    // No announcement, or an unknown switch: manual entry.
    const manual = chainTo(`http://netboot/register/form?${MAC_Q}&via=manual`);
    expect(lines.filter((l) => l === manual)).toHaveLength(3);
  });
});

describe('menuScript, registration closed', () => {
  it('shows the reason and offers to try again instead of registering', () => {
    const state = {
      open: false,
      closedReason: 'The machine database is unreachable.',
      planned: [],
    };
    const lines = checkScript(menuScript(ctx(SWITCHES), MAC, state));
    expect(echoed(lines)).toContain('The machine database is unreachable.');
    const { items, choose } = menuOf(lines);
    expect(items).toEqual([
      'item --key t retry T. Try again',
      'item --key n no N. No: reboot',
      'item --key s shell S. Drop to an iPXE shell',
    ]);
    expect(choose).toBe('choose lanctl_choice || goto lanctl_menu');
    const at = lines.indexOf(':lanctl_retry');
    expect(lines[at + 1]).toBe(chainTo(`http://netboot/register/menu?${MAC_Q}`));
    expect(lines.some((l) => l.includes('lldp') || l.includes('via='))).toBe(false);
  });

  it('ignores planned machines while closed, and says closed when no reason is given', () => {
    const state = {
      open: false,
      closedReason: null,
      planned: [{ room: 'pasteur', hostname: 'pas-r01p03' }],
    };
    const lines = checkScript(menuScript(ctx(), MAC, state));
    expect(echoed(lines)).toContain('Self-registration is closed.');
    expect(lines.some((l) => l.includes('planned'))).toBe(false);
  });

  it('shows a reason with iPXE syntax inert', () => {
    const state = { open: false, closedReason: 'closed || reboot ${x} #', planned: [] };
    const lines = checkScript(menuScript(ctx(), MAC, state));
    expect(echoed(lines)).toContain('closed ?? reboot ?{x} ?');
  });
});

describe('bootstrapScript and menuScript, any tables (500 cases)', () => {
  it('give scripts that hold together', () => {
    const name = fc.constantFrom('pasteur', 'turing', 'r1', 'a b', '${x}', 'x||y');
    const chassis = fc.constantFrom('00:11:22:33:44:01', '00:11:22:33:44:02', 'aa bb', '${c}');
    const n = fc.integer({ min: 0, max: 3 });
    const switches = fc.array(fc.record({ name, chassis, room: name, rfs: n, hfs: n }), {
      maxLength: 6,
    });
    const planned = fc.array(
      fc.record({ room: fc.constantFrom('pasteur', 'turing'), hostname: fc.constantFrom('h1') }),
      { maxLength: 12 },
    );
    const state = fc.record({
      open: fc.boolean(),
      closedReason: fc.option(fc.constantFrom('closed', 'mdb || down ${x}', '')),
      planned,
    });
    const seconds = fc.integer({ min: 1, max: 3600 });
    fc.assert(
      fc.property(switches, state, seconds, seconds, (sw, st, wait, timeout) => {
        const c = ctx(sw, { lldpWaitSeconds: wait, menuTimeoutSeconds: timeout });
        checkScript(bootstrapScript(c));
        checkScript(menuScript(c, MAC, st));
      }),
      { numRuns: 500 },
    );
  });
});
