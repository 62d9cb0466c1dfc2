import type { BootProfile } from '@lanctl/model';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addWord } from '../command.ts';
import { type CliHarness, startCliHarness } from '../testing/harness.ts';
import { registerBootProfile } from './boot-profile.ts';

let h: CliHarness;
beforeAll(async () => {
  h = await startCliHarness();
});
afterAll(() => h?.stop());

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * `lanctl boot profile ARGS` in this process (the `boot` word is wired into main.ts by its own
 * module): the same commander tree main builds, with stdout, stderr and exit captured.
 */
async function profile(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command('lanctl').exitOverride();
  registerBootProfile(addWord(program, 'boot', 'netboot'));
  let stdout = '';
  let stderr = '';
  // The first exit ends the command; what `run` does with the thrown Exit afterwards is noise.
  let exited: number | undefined;
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
      if (exited === undefined) stdout += String(c);
      return true;
    }),
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
      if (exited === undefined) stderr += String(c);
      return true;
    }),
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      exited ??= Number(code ?? 0);
      throw new Exit(exited);
    }),
  ];
  let code = 0;
  try {
    const argv = ['boot', 'profile', ...args, '--url', h.url, '--token', h.adminToken];
    await program.parseAsync(argv, { from: 'user' });
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof Exit) code = exited ?? e.code;
    else if (e instanceof CommanderError) code = e.exitCode;
    else throw e;
  } finally {
    for (const spy of spies) spy.mockRestore();
    process.exitCode = 0;
  }
  return { code, stdout, stderr };
}

describe('lanctl boot profile', () => {
  it('lists the seeded profiles and shows one', async () => {
    const listed = await profile(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME +KIND +MTYPES +ROOMS +KERNEL +DESCRIPTION$/m);
    expect(listed.stdout).toMatch(/^contestant +rfs +user,orga +any +vmlinuz-linux /m);
    expect(listed.stdout).toMatch(/^local-disk +local +service +any +- /m);
    const shown = await profile(['show', 'contestant']);
    expect(shown.stdout).toMatch(/^initrds: +initramfs-linux\.img$/m);
    expect(shown.stdout).toMatch(/^cmdline: +root=\/dev\/nfs ip=\$\{ip\}:/m);
  });

  it('creates, edits and deletes a profile; lists are repeatable options', async () => {
    const created = await profile([
      'create',
      'rescue',
      '--kind',
      'http',
      '--kernel',
      'http://gw/rescue/vmlinuz',
      '--initrd',
      'http://gw/rescue/initrd.img',
      '--initrd',
      'http://gw/rescue/extra.img',
      '--room',
      'alt',
      '--cmdline',
      'console=ttyS0 ip=dhcp',
    ]);
    expect(created).toMatchObject({ code: 0, stdout: 'created: boot profile rescue (http)\n' });
    const edited = await profile(['edit', 'rescue', '--mtype', 'user', '--room', '', '--json']);
    expect(edited.code).toBe(0);
    expect(JSON.parse(edited.stdout) as BootProfile).toMatchObject({
      initrds: ['http://gw/rescue/initrd.img', 'http://gw/rescue/extra.img'],
      mtypes: ['user'],
      rooms: [],
    });
    const removed = await profile(['delete', 'rescue']);
    expect(removed).toMatchObject({ code: 0, stdout: 'deleted: boot profile rescue\n' });
  });

  it('reports bad input in one line naming the field, and usage errors with exit 2', async () => {
    const bad = await profile(['create', 'bad', '--kind', 'rfs', '--kernel', 'vm;linuz']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^lanctl: kernel: expected a plain file name/);
    const kind = await profile(['create', 'bad', '--kind', 'floppy']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/--kind <kind>' argument 'floppy' is invalid/);
    expect((await profile(['edit', 'contestant'])).stderr).toBe(
      'lanctl: nothing to change: give at least one option\n',
    );
    await h.client.machines.create({
      hostname: 'pinned',
      mac: '02:00:00:00:09:01',
      boot_profile: 'local-disk',
    });
    const inUse = await profile(['delete', 'local-disk']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('boot profile "local-disk" is still used by machine "pinned"');
  });
});
