import type { MachineType, Room } from '@lanctl/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainTo } from '../ipxe.ts';
import { parseQuery, registerQuerySchema } from '../requests.ts';
import { checkScript } from './check-script.testing.ts';
import {
  type FormContext,
  type FormInput,
  formScript,
  refusedScript,
  registeredScript,
} from './form.ts';

const MAC = '52:54:00:12:34:56';
const MAC_Q = 'mac=52%3A54%3A00%3A12%3A34%3A56';
const FORM = 'http://netboot/register/form';

const room = (name: string, description = ''): Room => ({
  name,
  description,
  hostname_pattern: null,
  seats_per_row: null,
});
const mtype = (name: string, description = ''): MachineType => ({ name, description, pool: null });

const ctx = (over: Partial<FormContext> = {}): FormContext => ({
  base: 'http://netboot',
  banner: 'lanctl netboot',
  rooms: [room('turing', 'Salle Turing'), room('pasteur', 'Amphi Pasteur'), room('cluster')],
  machineTypes: [mtype('service', 'Servers'), mtype('user', 'Contestant seat'), mtype('orga')],
  menuTimeoutSeconds: 15,
  ...over,
});

const input = (over: Partial<FormInput> = {}): FormInput => ({
  mac: MAC,
  via: 'manual',
  room: 'pasteur',
  rfs: 0,
  hfs: 1,
  chassis: null,
  keep: false,
  suggestion: { hostname: 'pas-r01p03', source: 'pattern' },
  ...over,
});

const form = (over: Partial<FormInput> = {}, c: FormContext = ctx()) =>
  checkScript(formScript(c, input(over)));

const echoed = (lines: readonly string[]) =>
  lines
    .filter((l) => /^echo( |$)/.test(l))
    .map((l) => l.replace(/^echo ?/, ''))
    .join(' ');

const READS = {
  hostname: 'echo -n Hostname: && read lanctl_hostname ||',
  rfs: 'echo -n RFS number: && read lanctl_rfs ||',
  hfs: 'echo -n HFS number: && read lanctl_hfs ||',
};
const chooseConfirm = (lines: readonly string[]) => lines.find((l) => l.startsWith('choose '));
const target = (lines: readonly string[], label: string) => lines[lines.indexOf(label) + 1];

describe('formScript, manual without a room: the room menu', () => {
  it('lists usable rooms by name with digit keys, then Back', () => {
    const rooms = [...ctx().rooms, room('a b'), room('${x}')];
    const lines = form({ room: null }, ctx({ rooms }));
    expect(lines.filter((l) => l.startsWith('item '))).toEqual([
      'item --key 1 cluster 1. cluster',
      'item --key 2 pasteur 2. pasteur - Amphi Pasteur',
      'item --key 3 turing 3. turing - Salle Turing',
      'item --gap',
      'item --key b lanctl_back B. Back to the first menu',
    ]);
    expect(lines).toContain('choose lanctl_room || goto lanctl_room');
    expect(lines).toContain('iseq ${lanctl_room} lanctl_back && goto lanctl_back ||');
    expect(lines).toContain(chainTo(`${FORM}?${MAC_Q}&via=manual&room=\${lanctl_room}`));
    expect(target(lines, ':lanctl_back')).toBe(chainTo(`http://netboot/register/menu?${MAC_Q}`));
  });

  it('shows descriptions inert and short; digit keys for the first nine rooms only', () => {
    const rooms = Array.from({ length: 11 }, (_, i) =>
      room(`r${String(i).padStart(2, '0')}`, `desc || reboot \${x} ${'y'.repeat(80)}`),
    );
    const items = form({ room: null }, ctx({ rooms })).filter((l) => l.startsWith('item '));
    expect(items[0]).toMatch(/^item --key 1 r00 1\. r00 - desc \?\? reboot \?\{x\} y+$/);
    expect(items[0]?.split(' ').slice(4).join(' ').length).toBeLessThanOrEqual(70);
    expect(items[9]).toMatch(/^item r09 r09 - desc/);
  });
});

describe('formScript, manual with a room', () => {
  it('prefills, then reads hostname, RFS, HFS and the type from a menu', () => {
    const lines = form();
    expect(lines).toEqual(
      expect.arrayContaining([
        'set lanctl_hostname pas-r01p03',
        'set lanctl_rfs 0',
        'set lanctl_hfs 1',
        'set lanctl_mtype user',
        READS.hostname,
        READS.rfs,
        READS.hfs,
        ':lanctl_type',
        'menu Machine type',
        'choose --default ${lanctl_mtype} lanctl_mtype || goto lanctl_type',
      ]),
    );
    expect(lines.filter((l) => l.startsWith('item ')).slice(0, 3)).toEqual([
      'item --key 1 orga 1. orga',
      'item --key 2 service 2. service - Servers',
      'item --key 3 user 3. user - Contestant seat',
    ]);
    expect(echoed(lines)).toContain(`Registering ${MAC} in room pasteur.`);
    expect(echoed(lines)).toContain("the next free seat of the room's pattern");
    expect(chooseConfirm(lines.slice(lines.indexOf(':lanctl_summary')))).toBe(
      'choose --default yes lanctl_confirm || goto lanctl_summary',
    );
  });

  it('posts the typed values with ${...:uristring}, which parseQuery and the schema read back', () => {
    const lines = form();
    const register = `http://netboot/register?${MAC_Q}&via=manual&room=pasteur&hostname=\${lanctl_hostname:uristring}&rfs=\${lanctl_rfs:uristring}&hfs=\${lanctl_hfs:uristring}&mtype=\${lanctl_mtype:uristring}`;
    expect(target(lines, ':lanctl_confirm_yes')).toBe(chainTo(`${register}`));
    // What iPXE sends once the settings are expanded (uristring leaves '+' as is).
    const typed = {
      lanctl_hostname: 'PAS-R01P03 ',
      lanctl_rfs: ' 2',
      lanctl_hfs: '1',
      lanctl_mtype: 'user',
    };
    const sent = register.replace(/\$\{(\w+):uristring\}/g, (_, name: keyof typeof typed) =>
      encodeURIComponent(typed[name]),
    );
    const parsed = parseQuery(sent);
    expect(typeof parsed === 'string' ? parsed : registerQuerySchema.parse(parsed)).toEqual({
      mac: MAC,
      via: 'manual',
      room: 'pasteur',
      hostname: 'pas-r01p03',
      rfs: 2,
      hfs: 1,
      mtype: 'user',
    });
  });

  it('defaults the type to user, else the first type; never prefills an unsafe hostname', () => {
    const noUser = ctx({ machineTypes: [mtype('service'), mtype('orga')] });
    expect(form({}, noUser)).toContain('set lanctl_mtype service');
    expect(form({}, ctx({ machineTypes: [] }))).toContain('set lanctl_mtype user');
    for (const hostname of [null, 'x || reboot', '${x}']) {
      const lines = form({ suggestion: { hostname, source: null } });
      expect(lines).toContain('set lanctl_hostname');
      expect(echoed(lines)).toContain('the room has no pattern: type the hostname');
    }
    const expected = form({ suggestion: { hostname: 'pas-r01p07', source: 'expected' } });
    expect(echoed(expected)).toContain("the room's next planned machine");
  });

  it('edits by coming back with keep=1, and goes back to the first menu', () => {
    const lines = form();
    expect(target(lines, ':lanctl_confirm_edit')).toBe(
      chainTo(`${FORM}?${MAC_Q}&via=manual&room=pasteur&rfs=0&hfs=1&keep=1`),
    );
    expect(target(lines, ':lanctl_confirm_back')).toBe(
      chainTo(`http://netboot/register/menu?${MAC_Q}`),
    );
  });

  it('keep=1 does not reset what was typed, and still asks', () => {
    const lines = form({ keep: true });
    expect(lines.some((l) => l.startsWith('set lanctl_'))).toBe(false);
    expect(lines).toEqual(expect.arrayContaining([READS.hostname, READS.rfs, READS.hfs]));
  });
});

describe('formScript, LLDP', () => {
  it('takes room, RFS and HFS from the switch: type user, only the hostname is asked', () => {
    const lines = form({ via: 'lldp', rfs: 2, hfs: 3, chassis: '00:11:22:33:44:12' });
    expect(lines).toEqual(
      expect.arrayContaining([
        'set lanctl_rfs 2',
        'set lanctl_hfs 3',
        'set lanctl_mtype user',
        READS.hostname,
      ]),
    );
    expect(lines).not.toContain(READS.rfs);
    expect(lines).not.toContain(READS.hfs);
    expect(lines).not.toContain(':lanctl_type');
    expect(chooseConfirm(lines)).toBe('choose --default yes lanctl_confirm || goto lanctl_summary');
    expect(target(lines, ':lanctl_confirm_edit')).toBe(
      chainTo(`${FORM}?${MAC_Q}&via=lldp&room=pasteur&rfs=2&hfs=3&keep=1`),
    );
  });
});

describe('formScript, planned', () => {
  it('asks nothing: a summary confirmed by itself after the menu timeout', () => {
    const lines = form({
      via: 'planned',
      suggestion: { hostname: 'pas-r01p07', source: 'expected' },
    });
    expect(lines).toContain('set lanctl_hostname pas-r01p07');
    expect(lines.some((l) => l.includes(' && read '))).toBe(false);
    expect(lines).not.toContain(':lanctl_type');
    expect(lines).toEqual(
      expect.arrayContaining([
        'echo Register this machine as:',
        'echo   hostname ${lanctl_hostname}',
        'echo   room pasteur, type ${lanctl_mtype}, rfs${lanctl_rfs}, hfs${lanctl_hfs}',
      ]),
    );
    expect(chooseConfirm(lines)).toBe(
      'choose --default yes --timeout 15000 lanctl_confirm || goto lanctl_summary',
    );
  });

  it('edit switches to manual entry, keeping the values', () => {
    const lines = form({ via: 'planned' });
    expect(target(lines, ':lanctl_confirm_edit')).toBe(
      chainTo(`${FORM}?${MAC_Q}&via=manual&room=pasteur&rfs=0&hfs=1&keep=1`),
    );
    const kept = form({ via: 'planned', keep: true });
    expect(kept).toContain(READS.hostname);
    expect(chooseConfirm(kept)).toBe('choose --default yes lanctl_confirm || goto lanctl_summary');
  });
});

describe('registeredScript and refusedScript', () => {
  it('reboots into the new identity', () => {
    expect(checkScript(registeredScript('pas-r01p03', '192.168.0.103'))).toEqual([
      'echo Registration done: this machine is now pas-r01p03 (192.168.0.103).',
      'echo Rebooting in 5 s to boot as a registered machine.',
      'sleep 5',
      'reboot',
    ]);
  });

  it('shows the refusal inert, then goes back to the menu of that MAC', () => {
    const lines = checkScript(refusedScript(ctx(), MAC, 'hostname: x || reboot ${y} is taken'));
    expect(lines[0]).toBe('echo Registration failed: hostname: x ?? reboot ?{y} is taken');
    expect(lines).toContain('prompt --timeout 30000 Press any key to go back to the menu. ||');
    expect(lines).toContain(chainTo(`http://netboot/register/menu?${MAC_Q}`));
  });

  it('without a MAC (it was the bad part), goes back to the bootstrap', () => {
    const lines = checkScript(refusedScript(ctx(), null, 'mac: expected a MAC address'));
    expect(lines.filter((l) => l.startsWith('chain '))).toEqual([
      chainTo('http://netboot/bootstrap'),
      chainTo('http://netboot/bootstrap'),
    ]);
  });
});

describe('formScript, any input (500 cases)', () => {
  it('gives a script that holds together', () => {
    const name = fc.constantFrom('pasteur', 'turing', 'cluster', 'user', 'a b', '${x}');
    const description = fc.constantFrom('', 'Salle', 'x || reboot ${y} #', 'd'.repeat(90));
    const rooms = fc.uniqueArray(fc.record({ name, description }), {
      selector: (r) => r.name,
      maxLength: 12,
    });
    const types = fc.uniqueArray(fc.record({ name, description }), {
      selector: (t) => t.name,
      maxLength: 12,
    });
    const formInput = fc.record({
      via: fc.constantFrom('planned' as const, 'lldp' as const, 'manual' as const),
      room: fc.option(fc.constantFrom('pasteur', 'turing')),
      rfs: fc.integer({ min: 0, max: 999 }),
      hfs: fc.integer({ min: 0, max: 999 }),
      keep: fc.boolean(),
      suggestion: fc.record({
        hostname: fc.option(fc.constantFrom('pas-r01p03', 'x || reboot', '')),
        source: fc.option(fc.constantFrom('expected', 'pattern')),
      }),
    });
    fc.assert(
      fc.property(rooms, types, formInput, (r, t, i) => {
        const c = ctx({
          rooms: r.map((x) => room(x.name, x.description)),
          machineTypes: t.map((x) => mtype(x.name, x.description)),
        });
        checkScript(formScript(c, input(i)));
      }),
      { numRuns: 500 },
    );
  });
});
