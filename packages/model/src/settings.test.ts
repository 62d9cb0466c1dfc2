import { describe, expect, it } from 'vitest';
import { MAX_SELF_REGISTRATION_SECONDS, selfRegistrationUpdateSchema } from './settings.ts';

describe('selfRegistrationUpdateSchema', () => {
  it.each([
    { value: false },
    { value: true },
    { value: true, duration_seconds: 1 },
    { value: true, duration_seconds: MAX_SELF_REGISTRATION_SECONDS },
    { value: true, enabled_until: '2030-01-01T00:00:00Z' },
    { value: true, enabled_until: '2030-01-01T00:00:00.123+02:00' },
  ])('accepts %j', (input) => {
    expect(selfRegistrationUpdateSchema.parse(input)).toEqual(input);
  });

  it.each([
    [{}, 'value'],
    [{ value: 'true' }, 'value'],
    [{ value: 1 }, 'value'],
    [{ value: true, duration_seconds: 0 }, 'duration_seconds'],
    [{ value: true, duration_seconds: MAX_SELF_REGISTRATION_SECONDS + 1 }, 'duration_seconds'],
    [{ value: true, duration_seconds: 1.5 }, 'duration_seconds'],
    [{ value: true, duration_seconds: '60' }, 'duration_seconds'],
    [{ value: true, enabled_until: '2030-01-01' }, 'enabled_until'],
    [{ value: true, enabled_until: '2030-01-01T00:00:00' }, 'enabled_until'],
    [{ value: true, enabled_until: 'tomorrow' }, 'enabled_until'],
    [{ value: true, enabled_until: 1893456000 }, 'enabled_until'],
  ])('rejects %j at %s', (input, field) => {
    const result = selfRegistrationUpdateSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });

  it('rejects unknown fields (strict)', () => {
    const result = selfRegistrationUpdateSchema.safeParse({ value: true, key: 'x' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['key'] });
  });
});
