import type { Switch } from '@lanctl/model';
import { chainTo, echo, exact, failed, query, script } from '../ipxe.ts';

/** What the first script and the registration menu are built from. */
export interface MenuContext {
  base: string;
  banner: string;
  switches: readonly Switch[];
  lldpWaitSeconds: number;
  menuTimeoutSeconds: number;
}

/** A room whose "expect" list has a next machine to register. */
export interface Planned {
  room: string;
  hostname: string;
}

export interface RegistrationState {
  open: boolean;
  /** Why it is closed, in plain words (closed, or mdb unreachable). */
  closedReason: string | null;
  planned: readonly Planned[];
}

/**
 * SADM's switch table (`sw_name_i`, `sw_rfs_i`, `sw_hfs_i`, `sw_room_i`, in mdb's order: rfs,
 * hfs, name), for scripts that look it up themselves. Our own menu matches the chassis id with
 * one generated `iseq` per switch instead (no nested expansion needed).
 */
export function switchTable(switches: readonly Switch[]): string[] {
  const sorted = usable(switches);
  return sorted.flatMap((s, i) => [
    `set sw_name_${i} ${s.chassis}`,
    `set sw_rfs_${i} ${s.rfs}`,
    `set sw_hfs_${i} ${s.hfs}`,
    `set sw_room_${i} ${s.room}`,
    '',
  ]);
}

function usable(switches: readonly Switch[]): Switch[] {
  return [...switches]
    .filter((s) => exact(s.chassis) !== null && exact(s.room) !== null)
    .sort((a, b) => a.rfs - b.rfs || a.hfs - b.hfs || a.name.localeCompare(b.name));
}

/** `GET /bootstrap`: the first script iPXE chains to (from DHCP's boot URL). */
export function bootstrapScript(ctx: MenuContext): string {
  return script([
    ...echo(ctx.banner),
    ...switchTable(ctx.switches),
    'iseq ${scriptlet} alien && goto lanctl_alien ||',
    chainTo(`${ctx.base}/boot/\${mac}/`),
    'exit',
    ':lanctl_alien',
    chainTo(`${ctx.base}/register/menu?mac=\${mac}`),
    'exit',
    ...failed(`${ctx.base}/bootstrap`),
  ]);
}

const formUrl = (ctx: MenuContext, params: Record<string, string | number>) =>
  `${ctx.base}/register/form?${query(params)}`;

/** `GET /register/menu?mac=`: SADM's alien menu, plus the rooms' planned machines. */
export function menuScript(ctx: MenuContext, mac: string, state: RegistrationState): string {
  const menuUrl = `${ctx.base}/register/menu?${query({ mac })}`;
  const lines = [...echo(ctx.banner, `This machine (${mac}) is not registered.`)];
  const items: string[] = [];
  const targets: string[] = [];
  let preferred: string | null = null;
  if (state.open) {
    const planned = state.planned.filter((p) => exact(p.room) && exact(p.hostname));
    planned.forEach((p, i) => {
      const key = i < 9 ? `--key ${i + 1} ` : '';
      items.push(
        `item ${key}planned_${i} ${i < 9 ? `${i + 1}. ` : ''}Next planned machine of room ${p.room}: ${p.hostname}`,
      );
      targets.push(
        `:lanctl_planned_${i}`,
        chainTo(formUrl(ctx, { mac, via: 'planned', room: p.room })),
      );
    });
    // One room with a plan: taken after a timeout, so machines can be powered on one by one.
    if (planned.length === 1) preferred = 'planned_0';
    items.push('item --key l lldp L. Yes, register it with LLDP (contestant seat)');
    items.push('item --key m manual M. Yes, register it without LLDP');
    targets.push(':lanctl_lldp', ...lldpSteps(ctx, mac));
    targets.push(':lanctl_manual', chainTo(formUrl(ctx, { mac, via: 'manual' })));
  } else {
    lines.push(...echo(state.closedReason ?? 'Self-registration is closed.'));
    items.push('item --key t retry T. Try again');
    targets.push(':lanctl_retry', chainTo(menuUrl));
  }
  items.push('item --key n no N. No: reboot', 'item --key s shell S. Drop to an iPXE shell');
  targets.push(':lanctl_no', 'reboot', ':lanctl_shell', 'shell', chainTo(menuUrl));
  const choose = preferred
    ? `choose --default ${preferred} --timeout ${ctx.menuTimeoutSeconds * 1000} lanctl_choice`
    : 'choose lanctl_choice';
  return script([
    ...lines,
    ...switchTable(ctx.switches),
    ':lanctl_menu',
    'menu Register this machine?',
    ...items,
    `${choose} || goto lanctl_menu`,
    'goto lanctl_${lanctl_choice}',
    ...targets,
    ...failed(menuUrl),
  ]);
}

/**
 * Waits for the switch's LLDP announcement (iPXE builds with LLDP, as SADM's ROM), then matches
 * its chassis id with the switch table; no announcement or an unknown switch: manual entry.
 */
function lldpSteps(ctx: MenuContext, mac: string): string[] {
  const manual = formUrl(ctx, { mac, via: 'manual' });
  const matches = usable(ctx.switches).flatMap((s, i) => [
    `iseq \${netX.lldp/chassisid} ${s.chassis} && goto lanctl_lldp_sw_${i} ||`,
  ]);
  const targets = usable(ctx.switches).flatMap((s, i) => [
    `:lanctl_lldp_sw_${i}`,
    ...echo(`Switch ${s.name}: room ${s.room}, rfs${s.rfs}, hfs${s.hfs}.`),
    chainTo(
      formUrl(ctx, { mac, via: 'lldp', room: s.room, rfs: s.rfs, hfs: s.hfs, chassis: s.chassis }),
    ),
  ]);
  return [
    ...echo(`Waiting up to ${ctx.lldpWaitSeconds} s for the switch's LLDP announcement...`),
    'set lanctl_wait:int32 0',
    ':lanctl_lldp_wait',
    'isset ${netX.lldp/chassisid} && goto lanctl_lldp_seen ||',
    `iseq \${lanctl_wait} ${ctx.lldpWaitSeconds} && goto lanctl_lldp_none ||`,
    'inc lanctl_wait',
    'sleep 1',
    'goto lanctl_lldp_wait',
    ':lanctl_lldp_seen',
    'echo Switch chassis id: ${netX.lldp/chassisid}, port: ${netX.lldp/portid}',
    ...matches,
    ...echo('This switch is not in the switch table: manual registration.'),
    chainTo(manual),
    ':lanctl_lldp_none',
    ...echo('No LLDP announcement received: manual registration.'),
    chainTo(manual),
    ...targets,
  ];
}
