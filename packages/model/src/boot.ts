import { z } from 'zod';
import { nameSchema } from './hostname.ts';

/**
 * Boot profiles: what a machine boots over the network. `rfs`: a kernel and initrds from its
 * RFS's boot directory (SADM's contestant image over NFS); `http`: a kernel and initrds from any
 * http(s) URL; `local`: the local disk (iPXE `exit`/`sanboot`).
 */
export const BOOT_PROFILE_KINDS = ['rfs', 'http', 'local'] as const;
export type BootProfileKind = (typeof BOOT_PROFILE_KINDS)[number];

export interface BootProfile {
  name: string;
  description: string;
  kind: BootProfileKind;
  /** rfs: file name under the RFS's boot directory (e.g. 'vmlinuz-linux'); http: absolute http(s) URL; local: ''. */
  kernel: string;
  /** Same rules as kernel; loaded in order. */
  initrds: string[];
  /**
   * Kernel command line; may contain iPXE settings such as ${ip} (expanded by iPXE on the
   * client). For kind rfs the netboot service prepends `nfsroot=<rfs ip>:/export/nfsroot,ro`.
   */
  cmdline: string;
  /** Machine types and rooms this profile applies to ([] = any). */
  mtypes: string[];
  rooms: string[];
  created_at: string;
  updated_at: string;
}

export const MAX_INITRDS = 8;
export const MAX_CMDLINE = 1024;

/** A plain file name: no directory, no `..`, nothing iPXE or a shell would interpret. */
const RFS_FILE = /^[A-Za-z0-9_][A-Za-z0-9._+~-]{0,254}$/;
/** Printable ASCII without spaces (no control characters, no non-ASCII) and no quotes. */
const URL_CHARS = /^[!-~]+$/;
const URL_QUOTES = /["'`\\]/;

/** Why `value` is not a valid kernel/initrd for `kind`, or null. */
export function bootFileProblem(kind: BootProfileKind, value: string): string | null {
  if (kind === 'local') return value === '' ? null : 'must be empty for kind local';
  if (value === '') return `required for kind ${kind}`;
  if (kind === 'rfs') {
    if (value.includes('/')) return 'a file name in the RFS boot directory, without "/"';
    if (value.includes('..') || !RFS_FILE.test(value)) {
      return 'expected a plain file name (letters, digits, . _ + ~ -), e.g. vmlinuz-linux';
    }
    return null;
  }
  if (value.length > 2048) return 'at most 2048 characters';
  if (!URL_CHARS.test(value) || URL_QUOTES.test(value))
    return 'a URL without whitespace, quotes or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'expected an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'expected an absolute http:// or https:// URL';
  }
  return null;
}

/** Why a command line cannot be pasted into an iPXE `boot`/`kernel` line, or null. */
export function cmdlineProblem(value: string): string | null {
  if (value.length > MAX_CMDLINE) return `at most ${MAX_CMDLINE} characters`;
  if (!/^[ -~]*$/.test(value)) return 'printable ASCII only (no newlines or tabs)';
  for (const bad of ['"', '|', '&&', '#']) {
    if (value.includes(bad)) return `must not contain ${bad} (it would break the iPXE script)`;
  }
  return null;
}

/** The kind-dependent rules on a whole profile: the first problem as {field, message}, or null. */
export function bootProfileProblem(p: {
  kind: BootProfileKind;
  kernel: string;
  initrds: string[];
}): { field: string; message: string } | null {
  const kernel = bootFileProblem(p.kind, p.kernel);
  if (kernel) return { field: 'kernel', message: kernel };
  if (p.kind === 'local' && p.initrds.length > 0) {
    return { field: 'initrds', message: 'must be empty for kind local' };
  }
  for (const [i, initrd] of p.initrds.entries()) {
    const problem = bootFileProblem(p.kind, initrd);
    if (problem) return { field: `initrds.${i}`, message: problem };
  }
  return null;
}

const descriptionSchema = z.string().max(200, 'at most 200 characters');
const cmdlineSchema = z.string().superRefine((v, ctx) => {
  const problem = cmdlineProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const kindSchema = z.enum(BOOT_PROFILE_KINDS, {
  message: `expected one of ${BOOT_PROFILE_KINDS.join(', ')}`,
});
const fileSchema = z.string().max(2048, 'at most 2048 characters');
const initrdsSchema = z.array(fileSchema).max(MAX_INITRDS, `at most ${MAX_INITRDS} initrds`);
const namesSchema = z
  .array(nameSchema)
  .max(64, 'at most 64 names')
  .refine((list) => new Set(list).size === list.length, 'names must not repeat');

export const bootProfileCreateSchema = z
  .object({
    name: nameSchema,
    description: descriptionSchema.default(''),
    kind: kindSchema,
    kernel: fileSchema.default(''),
    initrds: initrdsSchema.default([]),
    cmdline: cmdlineSchema.default(''),
    mtypes: namesSchema.default([]),
    rooms: namesSchema.default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const problem = bootProfileProblem(p);
    if (problem) {
      const path = problem.field.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      ctx.addIssue({ code: 'custom', path, message: problem.message });
    }
  });
export type BootProfileCreate = z.output<typeof bootProfileCreateSchema>;

/**
 * A PATCH names only what changes; the kind-dependent rules are checked by mdb on the merged
 * profile (a 422 naming the field). Profiles are not renamed: machines refer to them by name.
 */
export const bootProfileUpdateSchema = z
  .object({
    description: descriptionSchema,
    kind: kindSchema,
    kernel: fileSchema,
    initrds: initrdsSchema,
    cmdline: cmdlineSchema,
    mtypes: namesSchema,
    rooms: namesSchema,
  })
  .partial()
  .strict();
export type BootProfileUpdate = z.output<typeof bootProfileUpdateSchema>;

/** How specific a profile's match is: mtype and room > mtype > room > neither. */
function specificity(p: BootProfile): number {
  return (p.mtypes.length > 0 ? 2 : 0) + (p.rooms.length > 0 ? 1 : 0);
}

const matches = (p: BootProfile, mtype: string, room: string) =>
  (p.mtypes.length === 0 || p.mtypes.includes(mtype)) &&
  (p.rooms.length === 0 || p.rooms.includes(room));

/**
 * The profile a machine boots: machine.boot_profile if set (null when that profile no longer
 * exists), else the most specific profile matching (mtype AND room) > (mtype only) > (room only)
 * > (neither: a default, mtypes=[] and rooms=[]); ties by name. null when nothing matches. Pure.
 */
export function resolveBootProfile(
  machine: { boot_profile?: string | null; mtype: string; room: string },
  profiles: readonly BootProfile[],
): BootProfile | null {
  if (machine.boot_profile != null) {
    return profiles.find((p) => p.name === machine.boot_profile) ?? null;
  }
  let best: BootProfile | null = null;
  for (const p of profiles) {
    if (!matches(p, machine.mtype, machine.room)) continue;
    if (
      best === null ||
      specificity(p) > specificity(best) ||
      (specificity(p) === specificity(best) && p.name < best.name)
    ) {
      best = p;
    }
  }
  return best;
}

/** SADM's netboot options (`netboot.yml`), `${…}` expanded by iPXE on the client. */
export const SADM_CONTESTANT_CMDLINE =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: iPXE settings, not a JS template
  'root=/dev/nfs ip=${ip}:${next-server}:${gateway}:${netmask}:${hostname}.prolo:eth0:none nosplash rootdelay=0';

/** Seeded by mdb's migration 0003: SADM's contestant image, and servers booting their disk. */
export const DEFAULT_BOOT_PROFILES: Omit<BootProfile, 'created_at' | 'updated_at'>[] = [
  {
    name: 'contestant',
    description: 'Contestant image from the RFS over NFS (SADM)',
    kind: 'rfs',
    kernel: 'vmlinuz-linux',
    initrds: ['initramfs-linux.img'],
    cmdline: SADM_CONTESTANT_CMDLINE,
    mtypes: ['user', 'orga'],
    rooms: [],
  },
  {
    name: 'local-disk',
    description: 'Boot the local disk',
    kind: 'local',
    kernel: '',
    initrds: [],
    cmdline: '',
    mtypes: ['service'],
    rooms: [],
  },
];
