/**
 * Driving real iPXE's menus and prompts from a test: keys go to the VM's PS/2 keyboard through
 * QEMU's QMP socket (`send-key`), the screen is read back from the serial log (bootVm with
 * `keyboard: true`).
 *
 * Facts about Debian 12's iPXE (1.0.0+git-20190125.36a4c85-5.1), established with QEMU 7.2 here
 * (details and figures in the report; /tmp/ipxe-facts.md):
 * - BIOS (SeaBIOS 1.16 + efi-e1000.rom): iPXE writes through the BIOS text screen, which SeaBIOS
 *   mirrors to COM1 (fw_cfg etc/sercon-port) as ANSI: cursor moves `ESC[r;cH`, colours
 *   `ESC[...m`, CR LF inserted at column 80. The `menu` UI is full screen: ESC[2J, the title on
 *   row 2, items from row 4, the selected item in white on red (SGR 41), the others on blue
 *   (SGR 44), the `choose --timeout` countdown "(59)" right of the selected item.
 * - UEFI (OVMF 2022.11 + snponly.efi): iPXE writes to ConOut, which OVMF's terminal driver sends
 *   to COM1 as ANSI in the same way.
 * - Input: QMP `send-key` (HMP `sendkey`) works on both: QEMU's i440FX always has a PS/2
 *   keyboard, SeaBIOS and OVMF both read it. Typing on COM1 also works on BIOS (SeaBIOS sercon
 *   reads it: "\x1b[B" = down), but a socket chardev with a client attached DUPLICATES characters
 *   in the log ("imglooaad"), so the serial port stays a plain file and keys go through QMP.
 * - `read <setting>` prints no prompt and PREFILLS the line with the setting's current value
 *   (editable: {ctrl-u} clears it, {backspace} works). `echo -n Hostname: ${}` prints a prompt
 *   with its trailing space.
 * - Commands: menu item choose (--default --timeout ms --keep) read prompt (--key --timeout ms)
 *   sleep iseq isset goto chain/imgfetch/kernel/initrd/boot (--timeout ms) sanboot shell exit
 *   reboot; NO params/param (no POST), ntp, poweroff, lldp. Unknown settings expand to "" (no
 *   LLDP settings: `isset ${net0.lldp/chassisid}` is false).
 * - URLs: iPXE decodes a URL and re-encodes it to send it, so `${x:uristring}` in a query still
 *   sends '&', '=', '/' and '+' raw; `${x:hexhyp}` carries any text safely. `${mac}` goes out as
 *   52%3A54%3A... A server that never answers holds `chain` forever unless `--timeout`; a 503
 *   with Retry-After is retried every Retry-After seconds, forever unless `--timeout`.
 * - The selected item and what the screen shows now come from replaying the log on an 80x25
 *   screen (replayScreen): the stripped log is a stream, not a screen.
 */

import { readFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import type { Vm } from './firmware.ts';

export interface VmConsole {
  /** Waits until the serial text (ANSI escapes stripped) matches, after the position of the last successful wait. */
  expect(pattern: RegExp | string, timeoutMs: number): Promise<RegExpMatchArray>;
  /**
   * Sends keys: text is typed as is (US layout, `${setting}` included); special keys as {enter}
   * {down} {up} {backspace} {esc} {ctrl-b} ... (keysOf). About 100 ms a key.
   */
  type(text: string): Promise<void>;
  /** The text of the menu item drawn selected last (white on red), countdown removed. */
  selected(): Promise<string | undefined>;
  /** The whole stripped log, for failure messages. */
  screen(): Promise<string>;
  /** What the 80x25 screen shows now (the log replayed), e.g. to check a summary. */
  display(): Promise<string>;
  close(): Promise<void>;
}

export interface ConsoleOptions {
  /** How long a key is held down (ms). Default 40. */
  holdMs?: number;
  /** Pause after each key so the firmware's keyboard buffer never overflows (ms). Default 60. */
  gapMs?: number;
  /** How long to wait for QEMU's QMP socket (ms). Default 15000. */
  connectTimeoutMs?: number;
}

/** ESC: escape sequences are what these patterns are about. */
const ESC = String.fromCharCode(27);
/** Control sequences: CSI (ESC [ ... final), other two-byte escapes, and `ESC c` (reset). */
const ANSI = new RegExp(`${ESC}(?:\\[[0-?]*[ -/]*[@-~]|[@-Z\\\\-_]|c)`, 'g');
/** An escape sequence cut by the end of what was written so far. */
const PARTIAL_ANSI = new RegExp(`${ESC}(?:\\[[0-?]*[ -/]*)?$`);
/** One token of terminal output: an escape sequence (CSI parameters and final) or a character. */
const TOKEN = new RegExp(`${ESC}\\[([0-?]*)[ -/]*([@-~])|${ESC}[@-Z\\\\-_c]|[^${ESC}]`, 'g');

/** The log without escape sequences; an unfinished one at the end is left out. */
export function stripAnsi(raw: string): string {
  return stripPartial(raw).replace(ANSI, '');
}

const stripPartial = (raw: string) => raw.replace(PARTIAL_ANSI, '');

const ROWS = 25;
const RED = 41;

interface Cell {
  char: string;
  background: number;
}

/**
 * Replays terminal output on an 80x25 screen (both consoles are 80x25): cursor positions
 * `ESC[r;cH`, clears `ESC[2J`, background colours `ESC[4xm`, CR, LF (scrolling), backspace.
 * Other sequences are skipped. Returns the rows, each as cells.
 */
export function replayScreen(raw: string): Cell[][] {
  const rows: Cell[][] = Array.from({ length: ROWS }, () => []);
  let row = 0;
  let col = 0;
  let background = 40;
  const clear = () => {
    for (const line of rows) line.splice(0);
  };
  for (const [token, params, final] of stripPartial(raw).matchAll(TOKEN)) {
    if (final === 'H' || final === 'f') {
      const [r = 1, c = 1] = (params ?? '').split(';').map((n) => Number(n) || 1);
      [row, col] = [Math.min(r, ROWS) - 1, c - 1];
    } else if (final === 'J' && params === '2') clear();
    else if (final === 'm') background = nextBackground(background, params ?? '');
    else if (token === `${ESC}c`) clear();
    else if (final !== undefined || token.startsWith(ESC)) continue;
    else if (token === '\r') col = 0;
    else if (token === '\n') {
      if (row === ROWS - 1) rows.push(rows.shift()!.splice(0));
      else row++;
    } else if (token === '\b') col = Math.max(0, col - 1);
    else if (token >= ' ') {
      const line = rows[row]!;
      while (line.length < col) line.push({ char: ' ', background: 40 });
      line[col++] = { char: token, background };
    }
  }
  return rows;
}

function nextBackground(current: number, params: string): number {
  let background = current;
  for (const p of params === '' ? ['0'] : params.split(';')) {
    const n = Number(p);
    if (n === 0 || n === 49) background = 40;
    else if (n >= 40 && n <= 47) background = n;
  }
  return background;
}

/**
 * The menu item shown selected now: the run of red-background cells (iPXE draws the selected
 * item white on red) on the replayed screen, without the `choose --timeout` countdown "(59)".
 */
export function selectedItem(raw: string): string | undefined {
  for (const line of replayScreen(raw)) {
    const red = line.filter((cell) => cell.background === RED);
    if (red.length === 0) continue;
    const text = red.map((cell) => cell.char).join('');
    return text.replace(/\(\d+\)\s*$/, '').trim();
  }
  return undefined;
}

/** The replayed screen as text, rows joined with newlines, trailing blanks removed. */
export function screenText(raw: string): string {
  return replayScreen(raw)
    .map((line) =>
      line
        .map((cell) => cell.char)
        .join('')
        .trimEnd(),
    )
    .join('\n')
    .trimEnd();
}

/** QEMU key names ("qcodes") of the special keys `type` accepts as {name}. */
const SPECIAL: Record<string, string> = {
  enter: 'ret',
  down: 'down',
  up: 'up',
  left: 'left',
  right: 'right',
  backspace: 'backspace',
  delete: 'delete',
  esc: 'esc',
  tab: 'tab',
  home: 'home',
  end: 'end',
  pgup: 'pgup',
  pgdn: 'pgdn',
  space: 'spc',
  lbrace: 'shift bracket_left',
  rbrace: 'shift bracket_right',
};

/** US layout: characters other than letters and digits, unshifted then shifted. */
const PLAIN: Record<string, string> = {
  ' ': 'spc',
  '-': 'minus',
  '=': 'equal',
  '[': 'bracket_left',
  ']': 'bracket_right',
  '\\': 'backslash',
  ';': 'semicolon',
  "'": 'apostrophe',
  '`': 'grave_accent',
  ',': 'comma',
  '.': 'dot',
  '/': 'slash',
};
const SHIFTED: Record<string, string> = {
  '!': '1',
  '@': '2',
  '#': '3',
  $: '4',
  '%': '5',
  '^': '6',
  '&': '7',
  '*': '8',
  '(': '9',
  ')': '0',
  _: 'minus',
  '+': 'equal',
  '|': 'backslash',
  ':': 'semicolon',
  '"': 'apostrophe',
  '~': 'grave_accent',
  '<': 'comma',
  '>': 'dot',
  '?': 'slash',
  '{': 'bracket_left',
  '}': 'bracket_right',
};

function charKeys(char: string): string[] {
  if (/^[a-z0-9]$/.test(char)) return [char];
  if (/^[A-Z]$/.test(char)) return ['shift', char.toLowerCase()];
  const plain = PLAIN[char];
  if (plain) return [plain];
  const shifted = SHIFTED[char];
  if (shifted) return ['shift', shifted];
  if (char === '\n' || char === '\r') return ['ret'];
  throw new Error(`type: no key for ${JSON.stringify(char)} (use {enter}, {tab}, ...)`);
}

function specialKeys(name: string): string[] {
  const ctrl = /^ctrl-([a-z])$/.exec(name);
  if (ctrl) return ['ctrl', ctrl[1]!];
  const keys = SPECIAL[name];
  if (!keys)
    throw new Error(
      `type: unknown key {${name}}; known: ${Object.keys(SPECIAL).join(' ')} ctrl-a..ctrl-z`,
    );
  return keys.split(' ');
}

/**
 * `type`'s text as key chords (QEMU qcodes pressed together), e.g. "aB{enter}". An iPXE setting
 * `${name}` is typed as is; other braces name keys ({lbrace} and {rbrace} type them).
 */
export function keysOf(text: string): string[][] {
  const chords: string[][] = [];
  for (const part of text.split(/((?<!\$)\{[^{}]*\})/)) {
    if (/^\{.*\}$/.test(part)) chords.push(specialKeys(part.slice(1, -1)));
    else for (const char of part) chords.push(charKeys(char));
  }
  return chords;
}

interface Qmp {
  execute(command: string, args?: object): Promise<unknown>;
  close(): Promise<void>;
}

type Pending = { resolve(value: unknown): void; reject(error: Error): void };

/** A QMP client on QEMU's unix socket: one JSON object a line, replies matched by `id`. */
async function connectQmp(path: string, timeoutMs: number): Promise<Qmp> {
  const socket = await connectWithRetry(path, timeoutMs);
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let buffer = '';
  let greeted: () => void = () => {};
  const greeting = new Promise<void>((resolve) => (greeted = resolve));
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const message = JSON.parse(line) as { QMP?: unknown; id?: number; return?: unknown };
      const error = (message as { error?: { class: string; desc: string } }).error;
      if (message.QMP) greeted();
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiter || message.id === undefined) continue;
      pending.delete(message.id);
      if (error) waiter.reject(new Error(`QMP: ${error.class}: ${error.desc}`));
      else waiter.resolve(message.return);
    }
  });
  // A reset connection is reported to the waiting commands (on 'close'), never thrown.
  socket.on('error', () => {});
  socket.on('close', () => {
    for (const waiter of pending.values()) waiter.reject(new Error('QMP: QEMU closed the socket'));
    pending.clear();
  });
  const execute = (command: string, args?: object) =>
    new Promise<unknown>((resolve, reject) => {
      if (socket.destroyed) return reject(new Error(`QMP ${command}: QEMU closed the socket`));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.write(`${JSON.stringify({ execute: command, arguments: args, id })}\n`);
    });
  await withTimeout(greeting, timeoutMs, `QMP greeting on ${path}`);
  await execute('qmp_capabilities');
  return {
    execute,
    close: async () => {
      socket.destroy();
    },
  };
}

/** QEMU creates the socket a moment after it starts (in the server namespace): retry. */
async function connectWithRetry(path: string, timeoutMs: number): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = createConnection(path);
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`QMP socket ${path}: ${String(error)}`);
      await sleep(100);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exitedCode(vm: Vm): string | undefined {
  const { exitCode, signalCode } = vm.process.child;
  if (exitCode === null && signalCode === null) return undefined;
  return `QEMU exited (${exitCode ?? signalCode})`;
}

/** Opens the console of a VM booted with `bootVm(lan, { ..., keyboard: true })`. */
export async function openConsole(vm: Vm, options: ConsoleOptions = {}): Promise<VmConsole> {
  if (!vm.qmpPath) throw new Error('openConsole: boot the VM with bootVm({ keyboard: true })');
  const holdMs = options.holdMs ?? 40;
  const gapMs = options.gapMs ?? 60;
  const qmp = await connectQmp(vm.qmpPath, options.connectTimeoutMs ?? 15_000);
  const raw = () => readFile(vm.serialPath, 'latin1');
  const screen = async () => stripAnsi(await raw());
  let position = 0;
  const expect = async (pattern: RegExp | string, timeoutMs: number) => {
    const regexp =
      typeof pattern === 'string'
        ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    const deadline = Date.now() + timeoutMs;
    let exitSeen = false;
    for (;;) {
      const text = await screen();
      const match = regexp.exec(text.slice(position));
      if (match) {
        position += match.index + match[0].length;
        return match;
      }
      const exited = exitedCode(vm);
      if (exited && !exitSeen) {
        exitSeen = true; // read its last words once more
        continue;
      }
      if (exited || Date.now() > deadline) {
        const why = exited ?? `timed out after ${timeoutMs} ms`;
        throw new Error(
          `console: ${why} waiting for ${regexp}; after the last match:\n${text.slice(position).slice(-3000)}`,
        );
      }
      await sleep(100);
    }
  };
  const type = async (text: string) => {
    for (const chord of keysOf(text)) {
      const keys = chord.map((data) => ({ type: 'qcode', data }));
      await qmp.execute('send-key', { keys, 'hold-time': holdMs });
      await sleep(holdMs + gapMs);
    }
  };
  return {
    expect,
    type,
    selected: async () => selectedItem(await raw()),
    screen,
    display: async () => screenText(await raw()),
    close: () => qmp.close(),
  };
}
