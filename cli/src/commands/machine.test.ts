import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from '@lanctl/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, startCliHarness } from '../testing/harness.ts';

let h: CliHarness;
beforeAll(async () => {
  h = await startCliHarness();
});
afterAll(() => h?.stop());

const json = <T>(stdout: string) => JSON.parse(stdout) as T;

describe('lanctl machine', () => {
  it('adds machines with each MAC spelling, then lists, shows, edits and deletes one', async () => {
    const spellings = ['AA-BB-CC-00-00-01', 'aa:bb:cc:00:00:02', 'aabb.cc00.0003'];
    const added = await Promise.all(
      spellings.map((mac, i) => h.admin(`machine add --hostname pc${i + 1} --mac ${mac} --json`)),
    );
    expect(added.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(added.map((r) => json<Machine>(r.stdout).mac)).toEqual([
      'aa:bb:cc:00:00:01',
      'aa:bb:cc:00:00:02',
      'aa:bb:cc:00:00:03',
    ]);
    const listed = json<Machine[]>((await h.admin('machine list --json --q pc')).stdout);
    expect(listed.map((m) => m.hostname)).toEqual(['pc1', 'pc2', 'pc3']);

    const edit = 'machine edit pc2 --room pasteur --rfs 4 --aliases www,ftp --faulty';
    const edited = await h.admin([...edit.split(' '), 'no display']);
    expect(edited).toMatchObject({ code: 0, stderr: '' });
    expect(edited.stdout).toMatch(
      /^updated: machine pc2 \(192\.168\.0\.\d+, aa:bb:cc:00:00:02\)\n$/,
    );

    const [shown, table, removed] = await Promise.all([
      h.admin('machine show pc2'),
      h.admin('machine list --faulty --room pasteur'),
      h.admin('machine del pc3'),
    ]);
    expect(shown.stdout).toMatch(/^room: +pasteur$/m);
    expect(shown.stdout).toMatch(/^aliases: +www,ftp$/m);
    expect(shown.stdout).toMatch(/^faulty: +no display$/m);
    expect(table.stdout).toMatch(/^HOSTNAME +IP +MAC +TYPE +ROOM +RFS +HFS +ALIASES +FAULTY\npc2 /);
    expect(table.stdout.trim().split('\n')).toHaveLength(2);
    expect(removed).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^deleted: machine pc3/),
    });
    expect((await h.admin('machine show pc3')).stderr).toBe('lanctl: machine "pc3" not found\n');
  });

  it('--update changes only the options given on an existing machine, else creates', async () => {
    const mac = '02:00:00:00:00:01';
    await h.client.machines.create({ hostname: 'up1', mac, room: 'alt', rfs: 2, aliases: ['u1'] });
    const updated = await h.admin('machine add --hostname up1 --update --hfs 3 --json');
    expect(updated.code).toBe(0);
    const expected = { room: 'alt', rfs: 2, hfs: 3, aliases: ['u1'], mac };
    expect(json<Machine>(updated.stdout)).toMatchObject(expected);
    const [again, created, noMac] = await Promise.all([
      h.admin('machine add --hostname up1 --update --hfs 3'),
      h.admin('machine add --hostname up2 --update --mac 02:00:00:00:00:02'),
      h.admin('machine add --hostname up3 --update'),
    ]);
    expect(again.stdout).toMatch(/^unchanged: machine up1/);
    expect(created.stdout).toMatch(/^created: machine up2/);
    expect(noMac).toMatchObject({
      code: 2,
      stderr: 'lanctl: --mac is required to create a machine\n',
    });
  });

  it('reports API errors in one line naming the field: a bad MAC, a conflict (exit 1)', async () => {
    await h.client.machines.create({ hostname: 'own1', mac: '02:00:00:00:01:01' });
    const [bad, taken] = await Promise.all([
      h.admin('machine add --hostname bad --mac aa:bb:cc:dd:ee:zz'),
      h.admin('machine add --hostname own2 --mac 02-00-00-00-01-01'),
    ]);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toMatch(/^lanctl: mac: expected a MAC address as [^\n]*\n$/);
    expect(taken).toMatchObject({
      code: 1,
      stderr: 'lanctl: mac: 02:00:00:00:01:01 is already the MAC of machine "own1"\n',
    });
  });

  it('checks numbers and empty edits locally as usage errors naming the flag (exit 2)', async () => {
    const [rfs, nothing] = await Promise.all([
      h.admin('machine add --hostname n --mac 02:00:00:00:02:01 --rfs -1'),
      h.admin('machine edit own1'),
    ]);
    expect(rfs.code).toBe(2);
    expect(rfs.stderr).toMatch(/^lanctl: option '--rfs <n>' argument '-1' is invalid[^\n]*\n$/);
    expect(nothing).toMatchObject({
      code: 2,
      stderr: 'lanctl: nothing to change: give at least one option\n',
    });
  });

  it('deletes several machines with a result per item and exit 1 if any failed', async () => {
    await h.client.machines.create({ hostname: 'del1', mac: '02:00:00:00:03:01' });
    await h.client.machines.create({ hostname: 'del2', mac: '02:00:00:00:03:02' });
    const result = await h.admin('machine del del1 ghost del2');
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^deleted: machine del1 /),
      expect.stringMatching(/^deleted: machine del2 /),
    ]);
    expect(result.stderr).toBe('lanctl: ghost: machine "ghost" not found\nlanctl: 1 of 3 failed\n');
    expect((await h.client.machines.list({ q: 'del' })).items).toEqual([]);
  });

  it('reallocates with --ip auto when the type changes', async () => {
    await h.client.machines.create({
      hostname: 'srv1',
      mac: '02:00:00:00:04:01',
      ip: '192.168.0.200',
    });
    const moved = await h.admin('machine edit srv1 --mtype service --ip auto --json');
    expect(json<Machine>(moved.stdout)).toMatchObject({
      mtype: 'service',
      ip: expect.stringMatching(/^192\.168\.1\./),
    });
  });

  it('pins a boot profile with --boot-profile and clears it with "none"', async () => {
    const add = await h.admin(
      'machine add --hostname bp1 --mac 02:00:00:00:06:01 --boot-profile local-disk --json',
    );
    expect(json<Machine>(add.stdout).boot_profile).toBe('local-disk');
    expect((await h.admin('machine show bp1')).stdout).toMatch(/^boot profile: +local-disk$/m);
    const cleared = await h.admin('machine edit bp1 --boot-profile none --json');
    expect(json<Machine>(cleared.stdout).boot_profile).toBeNull();
    const bad = await h.admin('machine edit bp1 --boot-profile nope');
    expect(bad.stderr).toMatch(/^lanctl: boot_profile: unknown boot profile "nope"/);
  });
});

describe('lanctl machine import', () => {
  const file = (name: string, text: string) => {
    const path = join(h.dir, name);
    writeFileSync(path, text);
    return path;
  };
  const CSV =
    'hostname,mac,room,mtype,aliases,rfs\n' +
    'imp-a,02:00:00:00:07:01,pasteur,user,"imp-a1 imp-a2",1\n' +
    '\n' +
    'imp-b,02-00-00-00-07-02,alt,service,,\n';

  it('checks a file with --dry-run, then creates every machine and prints a table', async () => {
    const path = file('ok.csv', CSV);
    const dry = await h.admin(['machine', 'import', path, '--dry-run']);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toMatch(/^ROW +HOSTNAME +IP +MAC\n +1 +imp-a +192\.168\.0\.\d+ /);
    expect(dry.stdout).toMatch(/^ +3 +imp-b +192\.168\.1\.\d+ /m);
    expect(dry.stdout).toMatch(/dry run, nothing written: 2 machines would be created\n$/);
    expect((await h.client.machines.list({ q: 'imp-' })).items).toEqual([]);
    const real = await h.admin(['machine', 'import', path]);
    expect(real.stdout).toMatch(/created 2 machines\n$/);
    const a = await h.client.machines.get('imp-a');
    expect(a).toMatchObject({ aliases: ['imp-a1', 'imp-a2'], rfs: 1, room: 'pasteur' });
  });

  it('refuses the whole file with every error by file row, writing nothing (exit 1)', async () => {
    const path = file(
      'bad.csv',
      'hostname,mac\nimp-c,02:00:00:00:07:03\nimp-a,02:00:00:00:07:04\nimp-d,02:00:00:00:07:03\n',
    );
    const result = await h.admin(['machine', 'import', path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `lanctl: ${path} row 2: hostname: "imp-a" is already the hostname of machine "imp-a"\n` +
        `lanctl: ${path} row 3: mac: 02:00:00:00:07:03 repeats row 1\n` +
        'lanctl: import refused: 2 errors in 2 rows, nothing was written\n',
    );
    expect((await h.client.machines.list({ q: 'imp-c' })).items).toEqual([]);
    const header = await h.admin(['machine', 'import', file('h.csv', 'hostname,mac,owner\n')]);
    expect(header.stderr).toMatch(/row|h\.csv: header: unknown column "owner"/);
    expect(header.code).toBe(1);
  });
});
