/**
 * The console driver (console.ts): its pure parts (keys, escape stripping, screen replay), then
 * real iPXE (SeaBIOS + e1000 ROM, and OVMF + snponly.efi) showing a `menu` and a `read` that the
 * test answers through QEMU's keyboard. The LAN is the netboot one (netns, br0 = 192.168.1.254/23
 * + the alien range), dnsmasq hands out the fixture's URL (the reference DHCP/TFTP server: this
 * test is about the console, not our servers), the fixture serves the menu script.
 */
import { createTestLan, type TempDir, type TestLan, tempDir } from '@lanctl/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysOf, openConsole, screenText, selectedItem, stripAnsi } from './console.ts';
import { startDnsmasq } from './dnsmasq.ts';
import {
  BOOT_MARKER,
  bootVm,
  type Firmware,
  type HttpFixture,
  startHttpFixture,
  startRouterAdvertiser,
  until,
} from './firmware.ts';
import { ALIEN_RANGE, SERVER_IP } from './servers.ts';

const ESC = '\x1b';
const at = (row: number, col: number) => `${ESC}[${row};${col}H`;

describe('console helpers', () => {
  it('keysOf types characters, shifted characters and {special} keys as QEMU qcodes', () => {
    expect(keysOf('aZ0-_.:')).toEqual([
      ['a'],
      ['shift', 'z'],
      ['0'],
      ['minus'],
      ['shift', 'minus'],
      ['dot'],
      ['shift', 'semicolon'],
    ]);
    expect(keysOf('{down}{enter}{ctrl-u}x{backspace}{esc}')).toEqual([
      ['down'],
      ['ret'],
      ['ctrl', 'u'],
      ['x'],
      ['backspace'],
      ['esc'],
    ]);
    // iPXE settings are typed, not taken for keys.
    expect(keysOf('$' + '{ip}').map((chord) => chord.join('+'))).toEqual([
      'shift+4',
      'shift+bracket_left',
      'i',
      'p',
      'shift+bracket_right',
    ]);
  });

  it('keysOf names what it cannot type', () => {
    expect(() => keysOf('{f13}')).toThrow(/unknown key \{f13\}/);
    expect(() => keysOf('é')).toThrow(/no key for "é"/);
  });

  it('keysOf has one chord for every printable ASCII character', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ -z|~]*$/), (text) => {
        expect(keysOf(text)).toHaveLength(text.length);
      }),
    );
  });

  it('stripAnsi removes escape sequences wherever they are, and one cut at the end', () => {
    const sequence = fc.constantFrom(
      `${ESC}[2J`,
      `${ESC}[0;41;1m`,
      at(4, 2),
      `${ESC}[?7l`,
      `${ESC}c`,
    );
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    const plain = fc.string({ unit: fc.constantFrom(...printable, '\r', '\n', '\b') });
    fc.assert(
      fc.property(fc.array(fc.tuple(plain, sequence)), plain, (parts, tail) => {
        const raw = parts.map(([text, seq]) => text + seq).join('') + tail;
        expect(stripAnsi(raw)).toBe(parts.map(([text]) => text).join('') + tail);
      }),
    );
    expect(stripAnsi(`ok${ESC}[04;0`)).toBe('ok');
  });

  // What SeaBIOS's serial mirror sends for iPXE's menu (serial log of a real boot, shortened):
  // items drawn with cursor moves, the selected one on red with its countdown, cells left
  // unchanged skipped with a move, then the selection moving down.
  const menu = [
    `${ESC}[2J${ESC}[0;44m${ESC}[2J${at(2, 30)}${ESC}[0;44;1mRegister this machine?`,
    `${at(4, 2)}${ESC}[0;41;1m  Yes (with LLDP)        (59)  `,
    `${at(5, 2)}${ESC}[0;44m  Yes (without LLDP)  ${at(5, 30)}    `,
    `${at(6, 2)}  No        ${at(7, 2)}\r\n\n`,
  ].join('');
  const moved = `${at(4, 2)}${ESC}[0;44m  Yes (with LLDP)              ${at(5, 2)}${ESC}[0;41;1m  Yes (without LLDP)  ${at(5, 30)}    `;

  it('selectedItem replays the screen and finds the red run, without the countdown', () => {
    expect(selectedItem(menu)).toBe('Yes (with LLDP)');
    expect(selectedItem(menu + moved)).toBe('Yes (without LLDP)');
    expect(selectedItem(`${menu + moved}${ESC}[0m${ESC}[2JCHOSEN`)).toBeUndefined();
    expect(screenText(menu).split('\n').slice(1, 5)).toEqual([
      '                             Register this machine?',
      '',
      '   Yes (with LLDP)        (59)',
      '   Yes (without LLDP)',
    ]);
  });
});

/** Bound of one VM's life: BIOS reaches the menu in ~5 s, UEFI in ~15 s on an idle machine. */
const VM_TIMEOUT_S = 120;
const SUITE_TIMEOUT_S = 600;

/** SADM's registration menu, reduced: pick an item, edit a suggested hostname, chain with both. */
const menuScript = (base: string) =>
  [
    '#!ipxe',
    'set hostname pas-r01p99',
    'menu Register this machine?',
    'item lldp Yes (with LLDP)',
    'item manual Yes (without LLDP)',
    'item no No',
    'choose --default lldp --timeout 60000 choice || goto failed',
    // The empty ${} argument keeps the prompt's trailing space.
    `echo -n Hostname: \${}`,
    'read hostname || goto failed',
    `chain --timeout 20000 ${base}/registered?choice=\${choice}&hostname=\${hostname:uristring} || goto failed`,
    'exit',
    ':failed',
    'echo CONSOLE-TEST-FAILED',
    'sleep 1',
    'reboot',
    '',
  ].join('\n');

let lan: TestLan;
let dir: TempDir;
let fixture: HttpFixture;

beforeAll(async () => {
  dir = await tempDir('lanctl-console-');
  lan = createTestLan({ clients: 0, bridgeAddresses: [`${SERVER_IP}/23`, '192.168.250.254/24'] });
  lan.addBroadcastRoute();
  const base = `http://${SERVER_IP}:8080`;
  fixture = await startHttpFixture(lan, SERVER_IP, 8080, SUITE_TIMEOUT_S, {
    '/menu': menuScript(base),
  });
  startRouterAdvertiser(lan, SUITE_TIMEOUT_S);
  startDnsmasq(lan, {
    dir: dir.path,
    serverIp: SERVER_IP,
    bootUrl: `${base}/menu`,
    known: [],
    alienRange: ALIEN_RANGE,
    staticNetwork: '192.168.0.0',
    staticNetmask: '255.255.254.0',
    timeoutS: SUITE_TIMEOUT_S,
  });
}, 60_000);

afterAll(async () => {
  await lan?.close();
  await dir?.cleanup();
});

const MACS: Record<Firmware, string> = { bios: '52:54:00:00:03:01', uefi: '52:54:00:00:03:02' };

describe.each(['bios', 'uefi'] as const)('real iPXE driven by keys (%s)', (firmware) => {
  it('moves to the second menu item, edits the suggested hostname, and iPXE chains with both', async () => {
    const vm = bootVm(lan, {
      firmware,
      mac: MACS[firmware],
      dir: dir.path,
      timeoutS: VM_TIMEOUT_S,
      keyboard: true,
    });
    const before = fixture.requests().length;
    const tty = await openConsole(vm);
    const selected = (label: string) =>
      until(
        async () => (await tty.selected()) === label,
        20_000,
        async () => `selected: ${await tty.selected()}\n${await tty.screen()}`,
      );
    try {
      await tty.expect('Register this machine?', (VM_TIMEOUT_S - 20) * 1000);
      await selected('Yes (with LLDP)');
      await tty.type('{down}');
      await selected('Yes (without LLDP)');
      await tty.type('{down}');
      await selected('No');
      await tty.type('{up}');
      await selected('Yes (without LLDP)');
      await tty.type('{enter}');
      // `read` offers the current value for editing.
      await tty.expect('Hostname: pas-r01p99', 20_000);
      await tty.type('{ctrl-u}pas-r02p0x{backspace}7{enter}');
      await tty.expect(BOOT_MARKER, 30_000);
    } finally {
      await tty.close();
      await vm.process.kill('SIGKILL');
    }
    const mine = fixture
      .requests()
      .slice(before)
      .filter((r) => r.url.startsWith('/registered'));
    expect(mine.map((r) => r.url)).toEqual(['/registered?choice=manual&hostname=pas-r02p07']);
  }, 180_000);
});
