import type { MachineType, Pool, SelfRegistrationSetting, Switch } from '@lanctl/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, startCliHarness } from '../testing/harness.ts';

let h: CliHarness;
beforeAll(async () => {
  h = await startCliHarness();
});
afterAll(() => h?.stop());

describe('lanctl switch, pool, room, mtype', () => {
  it('edits one field of a switch and keeps the others', async () => {
    const add = await h.admin('switch add sw1 --chassis 00-11-22-33-44-55 --room pasteur --rfs 2');
    expect(add).toMatchObject({ code: 0, stdout: 'created: switch sw1\n' });
    expect((await h.admin('switch edit sw1 --hfs 4')).stdout).toBe('updated: switch sw1\n');
    const shown = await h.admin('switch show sw1 --json');
    const expected = { name: 'sw1', chassis: '00:11:22:33:44:55', room: 'pasteur', rfs: 2, hfs: 4 };
    expect(JSON.parse(shown.stdout) as Switch).toEqual(expected);
  });

  it('adds a pool with reserved ranges and points a machine type at it, then at none', async () => {
    const reserved = '10.9.0.1-10.9.0.9,10.9.0.254';
    const pool = await h.admin(`pool add lab --network 10.9.0.0/24 --reserved ${reserved} --json`);
    expect(JSON.parse(pool.stdout) as Pool).toMatchObject({
      size: 244,
      reserved: reserved.split(','),
    });
    await h.admin(['mtype', 'add', 'lab', '--pool', 'lab', '--description', 'Lab machines']);
    const pools = JSON.parse((await h.admin('pool list --json')).stdout) as Pool[];
    expect(pools.find((p) => p.name === 'lab')?.mtypes).toEqual(['lab']);

    await h.admin('mtype edit lab --pool none');
    const [json, table] = await Promise.all([h.admin('mtype list --json'), h.admin('mtype list')]);
    const lab = (JSON.parse(json.stdout) as MachineType[]).find((t) => t.name === 'lab');
    expect(lab).toEqual({ name: 'lab', description: 'Lab machines', pool: null });
    expect(table.stdout).toMatch(/^NAME +POOL +DESCRIPTION$/m);
    expect(table.stdout).toMatch(/^lab +- +Lab machines$/m);
  });

  it('deletes rooms one by one and explains the one still in use', async () => {
    await h.client.rooms.create({ name: 'r1' });
    await h.client.machines.create({ hostname: 'in-r1', mac: '02:00:00:00:05:01', room: 'r1' });
    const result = await h.admin('room del r1 cluster');
    expect(result).toMatchObject({ code: 1, stdout: 'deleted: room cluster\n' });
    expect(result.stderr).toBe(
      'lanctl: r1: room "r1" is still used by machine "in-r1"\nlanctl: 1 of 2 failed\n',
    );
  });

  it('requires the mandatory option of add as a usage error', async () => {
    expect(await h.admin('pool add p9')).toMatchObject({
      code: 2,
      stderr: "lanctl: required option '--network <cidr>' not specified (see --help)\n",
    });
  });
});

describe('lanctl room patterns and expect lists', () => {
  it('adds a room with a pattern, keeps an expect list, and clears it', async () => {
    const add = await h.admin([
      'room',
      'add',
      'lab',
      '--pattern',
      'lab-r{row:02}p{seat:02}',
      '--seats-per-row',
      '8',
    ]);
    expect(add).toMatchObject({ code: 0, stdout: 'created: room lab\n' });
    const bad = await h.admin(['room', 'edit', 'lab', '--seats-per-row', 'none']);
    expect(bad).toMatchObject({
      code: 1,
      stderr: 'lanctl: seats_per_row: required when the pattern uses {row} or {seat}\n',
    });
    expect((await h.admin('room show lab')).stdout).toMatch(
      /^pattern: +lab-r\{row:02\}p\{seat:02\}$/m,
    );

    const set = await h.admin('room expect lab lab-x lab-y', { input: '' });
    expect(set.stdout).toBe('room lab expects 2 hostnames\n');
    const more = await h.admin(['room', 'expect', 'lab', 'lab-z', '--file', '-'], {
      input: '# list\nlab-w\n\n',
    });
    expect(more.code).toBe(0);
    expect((await h.admin('room expected lab')).stdout).toBe('lab-z\nlab-w\n');
    const taken = await h.admin('room expect lab lab-ok LAB-OK');
    expect(taken).toMatchObject({
      code: 1,
      stderr: 'lanctl: hostnames[1]: repeats hostnames[0]\n',
    });
    expect((await h.admin('room expect lab --clear')).stdout).toBe(
      'room lab expects 0 hostnames\n',
    );
    expect((await h.admin('room expected lab')).stderr).toBe('no hostnames expected in room lab\n');
    expect((await h.admin('room expect lab')).code).toBe(2);
  });
});

describe('lanctl setting', () => {
  it('turns self-registration on for 2h, then reads it back, then off', async () => {
    const on = await h.admin('setting set allow_self_registration on --for 2h');
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/^allow_self_registration is on until \S+Z \((2h|1h59m) left\)\n$/);

    const got = await h.admin('setting get allow_self_registration --json');
    const setting = JSON.parse(got.stdout) as SelfRegistrationSetting;
    expect(setting.value).toBe(true);
    const left = Date.parse(setting.enabled_until!) - Date.now();
    expect(left).toBeGreaterThan(7000 * 1000);
    expect(left).toBeLessThanOrEqual(7200 * 1000);

    const off = await h.admin('setting set allow_self_registration off');
    expect(off.stdout).toBe('allow_self_registration is off\n');
    expect((await h.admin('setting get')).stdout).toMatch(/^allow_self_registration +off$/m);
  });

  it('refuses to turn it on without an end or with a bad duration (usage errors)', async () => {
    const [bare, bad] = await Promise.all([
      h.admin('setting set allow_self_registration on'),
      h.admin(['setting', 'set', 'allow_self_registration', 'on', '--for', '2 hours']),
    ]);
    expect(bare).toMatchObject({
      code: 2,
      stderr:
        'lanctl: turning allow_self_registration on needs --for DURATION (e.g. 2h) or --until TIME\n',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^lanctl: option '--for <duration>' argument '2 hours' is invalid/);
  });
});

describe('lanctl contest-mode', () => {
  it('turns contest mode on and off, with no end date, and shows it', async () => {
    expect((await h.admin('contest-mode')).stdout).toBe('contest_mode is off\n');
    expect((await h.admin('contest-mode on')).stdout).toBe('contest_mode is on\n');
    expect((await h.admin('setting get')).stdout).toMatch(/^contest_mode +on$/m);
    expect(JSON.parse((await h.admin('contest-mode --json')).stdout)).toEqual({
      key: 'contest_mode',
      value: true,
    });
    expect((await h.admin('contest-mode off')).stdout).toBe('contest_mode is off\n');
  });

  it('refuses a bad value and an end date (usage errors)', async () => {
    const [bad, limited] = await Promise.all([
      h.admin('contest-mode maybe'),
      h.admin('setting set contest_mode on --for 2h'),
    ]);
    expect(bad.code).toBe(2);
    expect(limited).toMatchObject({
      code: 2,
      stderr: 'lanctl: --for and --until only apply when turning allow_self_registration on\n',
    });
  });
});
