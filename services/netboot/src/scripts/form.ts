import type { MachineType, Room } from '@lanctl/model';
import { chainTo, echo, exact, failed, query, script, text } from '../ipxe.ts';

/** How the machine got to the form: a room's plan, its switch (LLDP), or typed by hand. */
export type Via = 'planned' | 'lldp' | 'manual';

export interface FormContext {
  base: string;
  banner: string;
  rooms: readonly Room[];
  machineTypes: readonly MachineType[];
  menuTimeoutSeconds: number;
}

export interface FormInput {
  mac: string;
  via: Via;
  room: string | null;
  rfs: number;
  hfs: number;
  chassis: string | null;
  /** Keep what was typed (coming back from "change it"). */
  keep: boolean;
  /** The room's next planned or free-seat hostname, with where it came from. */
  suggestion: { hostname: string | null; source: string | null };
}

const menuUrl = (ctx: FormContext, mac: string) => `${ctx.base}/register/menu?${query({ mac })}`;

/** `GET /register/form`: room (manual), hostname, RFS/HFS, type, a summary and confirmation. */
export function formScript(ctx: FormContext, input: FormInput): string {
  if (input.room === null) return roomMenu(ctx, input);
  const { mac, via, room } = input;
  const self = (extra: Record<string, string | number>) =>
    `${ctx.base}/register/form?${query({ mac, via, room, rfs: input.rfs, hfs: input.hfs, ...extra })}`;
  const lines: string[] = [...echo(ctx.banner, `Registering ${mac} in room ${room}.`)];
  if (!input.keep) {
    lines.push(`set lanctl_hostname ${exact(input.suggestion.hostname ?? '') ?? ''}`.trimEnd());
    lines.push(`set lanctl_rfs ${input.rfs}`, `set lanctl_hfs ${input.hfs}`);
    lines.push(`set lanctl_mtype ${via === 'manual' ? defaultType(ctx) : 'user'}`);
  }
  if (via !== 'planned' || input.keep) {
    const hint =
      input.suggestion.source === 'expected'
        ? "the room's next planned machine"
        : input.suggestion.source === 'pattern'
          ? "the next free seat of the room's pattern"
          : 'the room has no pattern: type the hostname';
    lines.push(...echo(`Hostname (suggested: ${hint}). Edit it, then press Enter.`));
    lines.push('echo -n Hostname: && read lanctl_hostname ||');
  }
  if (via === 'manual') {
    lines.push('echo -n RFS number: && read lanctl_rfs ||');
    lines.push('echo -n HFS number: && read lanctl_hfs ||');
    lines.push(...typeMenu(ctx));
  }
  const register = `${ctx.base}/register?${query({ mac, via, room })}&hostname=\${lanctl_hostname:uristring}&rfs=\${lanctl_rfs:uristring}&hfs=\${lanctl_hfs:uristring}&mtype=\${lanctl_mtype:uristring}`;
  const timeout =
    via === 'planned' && !input.keep ? ` --timeout ${ctx.menuTimeoutSeconds * 1000}` : '';
  lines.push(
    ':lanctl_summary',
    'echo',
    'echo Register this machine as:',
    'echo   hostname ${lanctl_hostname}',
    `echo   room ${room}, type \${lanctl_mtype}, rfs\${lanctl_rfs}, hfs\${lanctl_hfs}`,
    'menu Is this correct?',
    'item --key y yes Y. Yes, register it',
    'item --key c edit C. No, change it',
    'item --key b back B. Back to the first menu',
    `choose --default yes${timeout} lanctl_confirm || goto lanctl_summary`,
    'goto lanctl_confirm_${lanctl_confirm}',
    ':lanctl_confirm_yes',
    chainTo(register),
    ':lanctl_confirm_edit',
    chainTo(self({ keep: 1, ...(via === 'planned' ? { via: 'manual' } : {}) })),
    ':lanctl_confirm_back',
    chainTo(menuUrl(ctx, mac)),
    ...failed(menuUrl(ctx, mac)),
  );
  return script(lines);
}

function defaultType(ctx: FormContext): string {
  return ctx.machineTypes.some((t) => t.name === 'user')
    ? 'user'
    : (ctx.machineTypes[0]?.name ?? 'user');
}

function typeMenu(ctx: FormContext): string[] {
  const types = byName(ctx.machineTypes.filter((t) => exact(t.name) !== null));
  return [
    ':lanctl_type',
    'menu Machine type',
    ...types.map((t, i) => `item ${key(i)}${t.name} ${label(i, t.name, t.description)}`),
    'choose --default ${lanctl_mtype} lanctl_mtype || goto lanctl_type',
  ];
}

const byName = <T extends { name: string }>(list: T[]) =>
  [...list].sort((a, b) => a.name.localeCompare(b.name));

/** Items 1 to 9 can be picked with their digit. */
const key = (i: number) => (i < 9 ? `--key ${i + 1} ` : '');

/** An item's text: its digit, name and description (made safe: it is shown, not run). */
const label = (i: number, name: string, description: string) =>
  text(`${i < 9 ? `${i + 1}. ` : ''}${name}${description ? ` - ${description}` : ''}`).slice(0, 70);

function roomMenu(ctx: FormContext, input: FormInput): string {
  const rooms = byName(ctx.rooms.filter((r) => exact(r.name) !== null));
  const next = `${ctx.base}/register/form?${query({ mac: input.mac, via: input.via })}&room=\${lanctl_room}`;
  return script([
    ...echo(ctx.banner, `Registering ${input.mac}.`),
    ':lanctl_room',
    'menu Room of this machine',
    ...rooms.map((r, i) => `item ${key(i)}${r.name} ${label(i, r.name, r.description)}`),
    'item --gap',
    'item --key b lanctl_back B. Back to the first menu',
    'choose lanctl_room || goto lanctl_room',
    'iseq ${lanctl_room} lanctl_back && goto lanctl_back ||',
    chainTo(next),
    ':lanctl_back',
    chainTo(menuUrl(ctx, input.mac)),
    ...failed(menuUrl(ctx, input.mac)),
  ]);
}

/** After a registration: the machine reboots into its new identity. */
export function registeredScript(hostname: string, ip: string): string {
  return script([
    ...echo(
      `Registration done: this machine is now ${hostname} (${ip}).`,
      'Rebooting in 5 s to boot as a registered machine.',
    ),
    'sleep 5',
    'reboot',
  ]);
}

/** A refused registration: the reason in plain words, then the menu again. */
export function refusedScript(ctx: FormContext, mac: string | null, message: string): string {
  const back = mac ? menuUrl(ctx, mac) : `${ctx.base}/bootstrap`;
  return script([
    ...echo(`Registration failed: ${message}`),
    'prompt --timeout 30000 Press any key to go back to the menu. ||',
    chainTo(back),
    'exit',
    ...failed(back),
  ]);
}
