import type { BootProfileCreateInput, BootProfileUpdateInput } from '@lanctl/client';
import { BOOT_PROFILE_KINDS, type BootProfile } from '@lanctl/model';
import { type Command, Option } from 'commander';
import { runEach } from '../batch.ts';
import { apiCommand, type ConnectionOptions, connect, run } from '../command.ts';
import { printDone, printList, printRecord, usageError } from '../output.ts';
import type { Column } from '../table.ts';

const list = (values: string[]) => (values.length ? values.join(',') : 'any');

const COLUMNS: Column<BootProfile>[] = [
  { header: 'NAME', value: (p) => p.name },
  { header: 'KIND', value: (p) => p.kind },
  { header: 'MTYPES', value: (p) => list(p.mtypes) },
  { header: 'ROOMS', value: (p) => list(p.rooms) },
  { header: 'KERNEL', value: (p) => p.kernel || '-' },
  { header: 'DESCRIPTION', value: (p) => p.description },
];

interface ProfileOptions extends ConnectionOptions {
  kind?: string;
  kernel?: string;
  initrd?: string[];
  cmdline?: string;
  mtype?: string[];
  room?: string[];
  description?: string;
  json?: boolean;
}

/** Repeatable options collect into a list; an empty value contributes nothing (`--room ''`: []). */
const collect = (value: string, previous: string[] = []) =>
  value === '' ? previous : [...previous, value];

function profileOptions(cmd: Command, edit: boolean): Command {
  const kind = new Option(
    '--kind <kind>',
    'rfs (kernel from the RFS), http (from URLs) or local (disk)',
  ).choices(BOOT_PROFILE_KINDS);
  return (
    cmd
      .addOption(edit ? kind : kind.makeOptionMandatory())
      .option('--kernel <file|url>', 'rfs: file in the RFS boot directory; http: http(s) URL')
      .option('--initrd <file|url>', 'an initrd, loaded in order (repeatable)', collect)
      // biome-ignore lint/suspicious/noTemplateCurlyInString: iPXE settings, shown as typed
      .option('--cmdline <text>', 'kernel command line; iPXE settings such as ${ip} are expanded')
      .option('--mtype <type>', 'machine type it applies to (repeatable; none: any)', collect)
      .option('--room <room>', 'room it applies to (repeatable; none: any)', collect)
      .option('--description <text>', 'what the profile boots')
      .option('--json', 'print the resulting profile as JSON')
  );
}

/** The body from the options given; with `edit`, a repeatable option given as '' clears its list. */
function body(o: ProfileOptions): BootProfileUpdateInput {
  const out: Record<string, unknown> = {};
  const map: [keyof ProfileOptions, string][] = [
    ['kind', 'kind'],
    ['kernel', 'kernel'],
    ['initrd', 'initrds'],
    ['cmdline', 'cmdline'],
    ['mtype', 'mtypes'],
    ['room', 'rooms'],
    ['description', 'description'],
  ];
  for (const [option, field] of map) if (o[option] !== undefined) out[field] = o[option];
  return out as BootProfileUpdateInput;
}

function registerWrites(profile: Command): void {
  profileOptions(apiCommand(profile, 'create <name>', 'create a boot profile'), false).action(
    run(async (name: string, o: ProfileOptions) => {
      const input = { name, ...body(o) } as BootProfileCreateInput;
      const created = await connect(o).bootProfiles.create(input);
      printDone(
        created,
        `created: boot profile ${created.name} (${created.kind})`,
        Boolean(o.json),
      );
    }),
  );
  profileOptions(apiCommand(profile, 'edit <name>', 'change a boot profile'), true).action(
    run(async (name: string, o: ProfileOptions) => {
      const patch = body(o);
      if (Object.keys(patch).length === 0)
        usageError('nothing to change: give at least one option');
      const updated = await connect(o).bootProfiles.update(name, patch);
      printDone(updated, `updated: boot profile ${updated.name}`, Boolean(o.json));
    }),
  );
  apiCommand(profile, 'delete <name...>', 'delete boot profiles (each reported on its own)')
    .alias('del')
    .action(
      run(async (names: string[], o: ConnectionOptions) => {
        const profiles = connect(o).bootProfiles;
        await runEach(
          names,
          async (n) => `deleted: boot profile ${(await profiles.remove(n)).name}`,
        );
      }),
    );
}

/**
 * `lanctl boot profile list|show|create|edit|delete`: what machines boot. A machine boots its
 * own `boot_profile` if set, else the most specific profile for its type and room.
 */
export function registerBootProfile(boot: Command): void {
  const profile = boot
    .command('profile')
    .description(
      'boot profiles: the kernel, initrds and command line machines boot, by type and room',
    );
  apiCommand(profile, 'list', 'list boot profiles')
    .option('--json', 'print a JSON array')
    .action(
      run(async (o: ConnectionOptions & { json?: boolean }) => {
        const all = await connect(o).bootProfiles.listAll();
        printList(all, COLUMNS, Boolean(o.json), 'boot profiles');
      }),
    );
  apiCommand(profile, 'show <name>', 'show one boot profile')
    .option('--json', 'print JSON')
    .action(
      run(async (name: string, o: ConnectionOptions & { json?: boolean }) => {
        const p = await connect(o).bootProfiles.get(name);
        const entries: [string, unknown][] = [
          ...COLUMNS.map((c): [string, unknown] => [c.header.toLowerCase(), c.value(p)]),
          ['initrds', p.initrds.join(' ') || '-'],
          ['cmdline', p.cmdline || '-'],
          ['updated', p.updated_at],
        ];
        printRecord(p, entries, Boolean(o.json));
      }),
    );
  registerWrites(profile);
}
