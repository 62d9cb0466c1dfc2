import { type BootProfile, type Machine, resolveBootProfile } from '@lanctl/model';
import {
  chainTo,
  echo,
  FILE_TIMEOUT_MS,
  failed,
  jitter,
  pauseThen,
  query,
  script,
} from '../ipxe.ts';

/** What `/boot/<mac>/` decided, for the script, the timeline and the metrics. */
export type BootOutcome = 'boot' | 'local' | 'unknown' | 'faulty' | 'no-rfs' | 'no-profile';

export interface BootDecision {
  outcome: BootOutcome;
  profile: string | null;
  script: string;
  /** Plain words for the log and the timeline. */
  detail: string;
}

/** What the boot script needs to know beyond the machine: read from config and mdb's tables. */
export interface BootContext {
  /** Base URL of this service as iPXE reaches it. */
  base: string;
  banner: string;
  profiles: readonly BootProfile[];
  /** The NFS server address of RFS n, or null when there is no such RFS. */
  rfsAddress(n: number): string | null;
  /** `export,options` for nfsroot= (SADM: /export/nfsroot,ro). */
  nfsExport: string;
  delays: { faultySeconds: number; retrySeconds: number; fileRetrySeconds: number };
}

const bootUrl = (ctx: BootContext, mac: string) => `${ctx.base}/boot/${mac}/`;

/** The script for a MAC: boot its profile, or say plainly why not and come back later. */
export function decideBoot(
  ctx: BootContext,
  mac: string,
  machine: Machine | undefined,
): BootDecision {
  const again = bootUrl(ctx, mac);
  if (!machine) {
    const menu = `${ctx.base}/register/menu?${query({ mac })}`;
    return {
      outcome: 'unknown',
      profile: null,
      detail: 'unknown MAC: registration menu',
      script: script([
        ...echo(ctx.banner, `This machine (${mac}) is not registered.`),
        chainTo(menu),
        'exit',
        ...failed(menu),
      ]),
    };
  }
  const who = `${machine.hostname} (${mac})`;
  if (machine.is_faulty) {
    const reason = machine.is_faulty_details || 'no reason given';
    return {
      outcome: 'faulty',
      profile: null,
      detail: `faulty: ${reason}`,
      script: script([
        ...echo(
          ctx.banner,
          `${who} is marked faulty and will not boot:`,
          `  ${reason}`,
          'When a root clears the fault, this machine boots by itself.',
        ),
        ...pauseThen(ctx.delays.faultySeconds, again),
      ]),
    };
  }
  const profile = resolveBootProfile(machine, [...ctx.profiles]);
  if (!profile) {
    const why = machine.boot_profile
      ? `its boot profile ${machine.boot_profile} does not exist`
      : `no boot profile applies to type ${machine.mtype} in room ${machine.room}`;
    return retry(ctx, mac, 'no-profile', null, `${who}: ${why}.`);
  }
  if (profile.kind === 'local') return localDisk(ctx, who, profile);
  if (profile.kind === 'http') {
    return load(ctx, mac, who, profile, profile.kernel, profile.initrds, profile.cmdline);
  }
  const nfs = ctx.rfsAddress(machine.rfs);
  if (nfs === null) {
    return retry(ctx, mac, 'no-rfs', profile.name, `No such RFS: rfs${machine.rfs} (for ${who}).`);
  }
  const files = `${ctx.base}/files/rfs${machine.rfs}`;
  const cmdline = [`nfsroot=${nfs}:${ctx.nfsExport}`, profile.cmdline].filter(Boolean).join(' ');
  return load(
    ctx,
    mac,
    who,
    profile,
    `${files}/${profile.kernel}`,
    profile.initrds.map((f) => `${files}/${f}`),
    cmdline,
  );
}

function retry(
  ctx: BootContext,
  mac: string,
  outcome: BootOutcome,
  profile: string | null,
  message: string,
): BootDecision {
  return {
    outcome,
    profile,
    detail: message,
    script: script([
      ...echo(ctx.banner, message, 'Ask a root to fix it; this machine asks again.'),
      ...pauseThen(ctx.delays.retrySeconds, bootUrl(ctx, mac)),
    ]),
  };
}

function localDisk(ctx: BootContext, who: string, profile: BootProfile): BootDecision {
  return {
    outcome: 'local',
    profile: profile.name,
    detail: 'local disk',
    script: script([
      ...echo(ctx.banner, `${who}: profile ${profile.name}, booting from the local disk.`),
      // UEFI: give control back to the firmware, which tries its next boot option (the disk).
      'iseq ${platform} efi && exit ||',
      'sanboot --no-describe --drive 0x80 || exit',
    ]),
  };
}

const fileName = (url: string) => url.slice(url.lastIndexOf('/') + 1);

/**
 * Kernel, initrds, boot. Each fetch that fails (a boot storm's 503, a lost connection) is retried
 * after a per-machine delay, so a room does not hammer the server in step.
 */
function load(
  ctx: BootContext,
  mac: string,
  who: string,
  profile: BootProfile,
  kernel: string,
  initrds: readonly string[],
  cmdline: string,
): BootDecision {
  const wait = jitter(mac, ctx.delays.fileRetrySeconds);
  // EFI iPXE hands initrds to the kernel's EFI stub by name: `initrd=<name>` for each.
  const args = [...initrds.map((u) => `initrd=${fileName(u)}`), cmdline].filter(Boolean).join(' ');
  const step = (label: string, command: string) => [
    `:${label}`,
    `${command} || goto ${label}_failed`,
  ];
  const onFail = (label: string, what: string) => [
    `:${label}_failed`,
    ...echo(`Could not load the ${what}; trying again in ${wait} s.`),
    `sleep ${wait}`,
    `goto ${label}`,
  ];
  const fetch = `--timeout ${FILE_TIMEOUT_MS}`;
  const initrdSteps = initrds.flatMap((u, i) => step(`lanctl_initrd_${i}`, `initrd ${fetch} ${u}`));
  const lines = [
    ...echo(ctx.banner, `${who}: profile ${profile.name}.`),
    'imgfree',
    ...step('lanctl_kernel', `kernel ${fetch} ${kernel} ${args}`.trimEnd()),
    ...initrdSteps,
    'boot || goto lanctl_boot_failed',
    ...onFail('lanctl_kernel', `kernel ${fileName(kernel)}`),
    ...initrds.flatMap((u, i) => onFail(`lanctl_initrd_${i}`, `initrd ${fileName(u)}`)),
    ':lanctl_boot_failed',
    ...echo(`The kernel of profile ${profile.name} did not start.`),
    ...pauseThen(ctx.delays.retrySeconds, bootUrl(ctx, mac)),
  ];
  return {
    outcome: 'boot',
    profile: profile.name,
    detail: `profile ${profile.name}: ${fileName(kernel)}`,
    script: script(lines),
  };
}
