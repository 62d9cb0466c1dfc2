import { describe, expect, it } from 'vitest';
import { machineCreateSchema, machineUpdateSchema, smbiosUuidSchema } from './machine.ts';

const UUID = '4c4c4544-0042-3510-8052-b4c04f4e4d32';

describe('machineCreateSchema', () => {
  it('fills every default from hostname and mac alone', () => {
    expect(machineCreateSchema.parse({ hostname: 'PC-1', mac: 'AA-BB-CC-DD-EE-FF' })).toEqual({
      hostname: 'pc-1',
      mac: 'aa:bb:cc:dd:ee:ff',
      aliases: [],
      ip: null,
      rfs: 0,
      hfs: 0,
      mtype: 'orga',
      room: 'other',
      is_faulty: false,
      is_faulty_details: '',
      uuid: null,
      boot_profile: null,
    });
  });

  it('keeps and normalizes given values', () => {
    const out = machineCreateSchema.parse({
      hostname: 'pc-2',
      mac: 'aabb.ccdd.eeff',
      aliases: ['WWW'],
      ip: '192.168.0.12',
      rfs: 3,
      hfs: 999,
      mtype: 'User',
      room: 'Pasteur',
      is_faulty: true,
      is_faulty_details: 'broken fan',
      uuid: UUID.toUpperCase(),
    });
    expect(out).toMatchObject({
      mac: 'aa:bb:cc:dd:ee:ff',
      aliases: ['www'],
      mtype: 'user',
      room: 'pasteur',
      uuid: UUID,
      hfs: 999,
    });
  });

  it('requires hostname and mac', () => {
    const result = machineCreateSchema.safeParse({});
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['hostname', 'mac']);
  });

  it('rejects unknown fields (strict)', () => {
    const result = machineCreateSchema.safeParse({
      hostname: 'pc',
      mac: '00:11:22:33:44:55',
      ipp: 1,
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['ipp'] });
  });

  it.each([
    ['ip', '192.168.0.256'],
    ['ip', '192.168.000.1'],
    ['rfs', -1],
    ['rfs', 1000],
    ['hfs', 1.5],
    ['hfs', '1'],
    ['is_faulty', 'true'],
    ['is_faulty_details', 'x'.repeat(1001)],
    ['uuid', 'not-a-uuid'],
    ['uuid', `${UUID}0`],
    ['uuid', `{${UUID}}`],
    ['uuid', UUID.replace(/-/g, '')],
    ['aliases', ['a', 'A']],
    ['mtype', 'bad_type'],
  ])('rejects %s = %j, naming the field', (field, value) => {
    const result = machineCreateSchema.safeParse({
      hostname: 'pc',
      mac: '00:11:22:33:44:55',
      [field]: value,
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe(field);
  });

  it('accepts ip: null (allocate from the pool)', () => {
    expect(
      machineCreateSchema.parse({ hostname: 'pc', mac: '00:11:22:33:44:55', ip: null }).ip,
    ).toBeNull();
  });
});

describe('machineUpdateSchema', () => {
  it('accepts an empty patch without adding defaults', () => {
    expect(machineUpdateSchema.parse({})).toEqual({});
  });

  it('normalizes what is given and keeps ip: null as a request for a fresh address', () => {
    expect(
      machineUpdateSchema.parse({ mac: 'AA-BB-CC-DD-EE-FF', ip: null, hostname: 'X' }),
    ).toEqual({
      mac: 'aa:bb:cc:dd:ee:ff',
      ip: null,
      hostname: 'x',
    });
  });

  it('rejects unknown fields and read-only timestamps', () => {
    for (const key of ['created_at', 'updated_at', 'id', 'Hostname']) {
      const result = machineUpdateSchema.safeParse({ [key]: 'x' });
      expect(result.success, key).toBe(false);
      expect(result.error?.issues[0]?.code).toBe('unrecognized_keys');
    }
  });

  it('rejects null for non-nullable fields', () => {
    for (const key of ['hostname', 'mac', 'aliases', 'rfs', 'mtype', 'is_faulty']) {
      expect(machineUpdateSchema.safeParse({ [key]: null }).success, key).toBe(false);
    }
  });
});

describe('smbiosUuidSchema', () => {
  it('lower-cases a dmidecode UUID', () => {
    expect(smbiosUuidSchema.parse(UUID.toUpperCase())).toBe(UUID);
  });

  it.each(['', ' ', `${UUID} `, UUID.slice(1), UUID.replace('4c', 'g4'), `${UUID}\u0000`])(
    'rejects %j',
    (value) => {
      expect(smbiosUuidSchema.safeParse(value).success).toBe(false);
    },
  );
});
