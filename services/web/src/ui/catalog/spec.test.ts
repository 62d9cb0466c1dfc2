import { describe, expect, it } from 'vitest';
import { createBody, POOLS, parseField, patchBody, ROOMS, SWITCHES, toFields } from './spec.ts';

describe('catalog forms', () => {
  it('turns typed text into JSON by kind, leaving bad numbers for the API to name', () => {
    expect(parseField('number', ' 3 ')).toBe(3);
    expect(parseField('number', 'three')).toBe('three');
    expect(parseField('optional-number', '')).toBeNull();
    expect(parseField('optional-text', '  ')).toBeNull();
    expect(parseField('list', '10.0.0.1, 10.0.0.5-10.0.0.9')).toEqual([
      '10.0.0.1',
      '10.0.0.5-10.0.0.9',
    ]);
    expect(parseField('list', '')).toEqual([]);
  });

  it('creates with every field typed, API defaults for empty ones', () => {
    expect(createBody(SWITCHES, { name: 'sw1', chassis: '', room: '', rfs: '', hfs: '2' })).toEqual(
      { name: 'sw1', hfs: 2 },
    );
    expect(
      createBody(ROOMS, { name: 'pas', description: '', hostname_pattern: '', seats_per_row: '' }),
    ).toEqual({ name: 'pas', hostname_pattern: null, seats_per_row: null });
  });

  it('patches only what changed, never the name', () => {
    const pool = {
      name: 'user',
      network: '10.0.0.0/24',
      reserved: ['10.0.0.1'],
      used: 3,
      size: 253,
    };
    const fields = toFields(POOLS, pool);
    expect(fields).toEqual({ name: 'user', network: '10.0.0.0/24', reserved: '10.0.0.1' });
    expect(patchBody(POOLS, pool, { ...fields, name: 'x' })).toEqual({});
    expect(patchBody(POOLS, pool, { ...fields, reserved: '10.0.0.1 10.0.0.2' })).toEqual({
      reserved: ['10.0.0.1', '10.0.0.2'],
    });
  });
});
