import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RpcError } from './errors.ts';
import { applyFilters, type FilterFields, parseFilters } from './filters.ts';

const FIELDS: FilterFields = {
  hostname: 'text',
  aliases: 'text',
  rfs: 'int',
  is_faulty: 'bool',
  is_faulty_details: 'text',
};

const MACHINES = [
  { hostname: 'alt-r01p01', aliases: '', rfs: 0, is_faulty: false, is_faulty_details: '' },
  { hostname: 'pas-r01p01', aliases: 'seat1', rfs: 1, is_faulty: true, is_faulty_details: 'fan' },
  {
    hostname: 'rhfs01',
    aliases: 'rfs0,hfs0,rhfs0',
    rfs: 0,
    is_faulty: false,
    is_faulty_details: '',
  },
  { hostname: 'Zed', aliases: 'rfs10', rfs: 12, is_faulty: false, is_faulty_details: '' },
];

const hosts = (kwargs: Record<string, unknown>) =>
  applyFilters(MACHINES, kwargs, FIELDS).map((m) => m.hostname);

function rpcError(fn: () => unknown): { type: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof RpcError) return { type: e.type, message: e.message };
    throw e;
  }
  throw new Error('expected an RpcError');
}

describe('applyFilters', () => {
  it.each([
    [{}, ['alt-r01p01', 'pas-r01p01', 'rhfs01', 'Zed']],
    [{ hostname: 'rhfs01' }, ['rhfs01']],
    [{ hostname__exact: 'RHFS01' }, []],
    [{ hostname__iexact: 'RHFS01' }, ['rhfs01']],
    [{ aliases__contains: 'rfs0' }, ['rhfs01']],
    [{ aliases__contains: 'rfs1' }, ['Zed']],
    [{ aliases__icontains: 'SEAT' }, ['pas-r01p01']],
    [{ hostname__startswith: 'pas-' }, ['pas-r01p01']],
    [{ hostname__istartswith: 'z' }, ['Zed']],
    [{ hostname__endswith: 'p01' }, ['alt-r01p01', 'pas-r01p01']],
    [{ hostname__iendswith: 'ED' }, ['Zed']],
    [{ hostname__regex: '^[a-z]+-r\\d+p01$' }, ['alt-r01p01', 'pas-r01p01']],
    [{ hostname__regex: '^Z' }, ['Zed']],
    [{ hostname__iregex: '^PAS-' }, ['pas-r01p01']],
    [{ hostname__in: ['Zed', 'nope', null] }, ['Zed']],
    [{ hostname__gt: 'r' }, ['rhfs01']],
    [{ hostname__lt: 'a' }, ['Zed']],
    [{ rfs: 1 }, ['pas-r01p01']],
    [{ rfs: '1' }, ['pas-r01p01']],
    [{ rfs: ' 12 ' }, ['Zed']],
    [{ rfs__in: [1, '12'] }, ['pas-r01p01', 'Zed']],
    [{ rfs__gte: 1 }, ['pas-r01p01', 'Zed']],
    [{ rfs__lte: '0' }, ['alt-r01p01', 'rhfs01']],
    [{ rfs__contains: 1 }, ['pas-r01p01', 'Zed']],
    [{ is_faulty: true }, ['pas-r01p01']],
    [{ is_faulty: 'True' }, ['pas-r01p01']],
    [{ is_faulty: 0 }, ['alt-r01p01', 'rhfs01', 'Zed']],
    [{ is_faulty_details__icontains: 'FAN' }, ['pas-r01p01']],
    [{ hostname: null }, []],
    [{ rfs: 0, aliases__contains: 'hfs' }, ['rhfs01']],
  ])('%j', (kwargs, expected) => {
    expect(hosts(kwargs)).toEqual(expected);
  });

  it('compares text fields as text: hostname=1 is the string "1"', () => {
    const rows = [{ hostname: '1' }, { hostname: 'True' }];
    expect(applyFilters(rows, { hostname: 1 }, { hostname: 'text' })).toEqual([{ hostname: '1' }]);
    expect(applyFilters(rows, { hostname: true }, { hostname: 'text' })).toEqual([
      { hostname: 'True' },
    ]);
  });

  it('refuses unknown fields and lookups with SADM ValueError messages', () => {
    expect(rpcError(() => hosts({ ssh_key: 'x' }))).toEqual({
      type: 'ValueError',
      message: "'ssh_key' is not a valid query argument",
    });
    expect(rpcError(() => hosts({ hostname__foo: 'x' })).message).toBe(
      "'hostname__foo' is not a valid query argument: unsupported lookup 'foo'",
    );
    expect(rpcError(() => hosts({ hostname__in__x: 'x' })).type).toBe('ValueError');
    expect(rpcError(() => hosts({ constructor: 'x' })).type).toBe('ValueError');
    expect(rpcError(() => hosts({ __proto__x: 'x' })).type).toBe('ValueError');
  });

  it('refuses values the field cannot take, as Django does', () => {
    expect(rpcError(() => hosts({ rfs: 'x' })).message).toBe(
      "Field 'rfs' expected a number but got 'x'.",
    );
    expect(rpcError(() => hosts({ is_faulty: 'maybe' })).message).toBe(
      "'maybe' value must be either True or False.",
    );
    expect(rpcError(() => hosts({ hostname__in: 'abc' })).type).toBe('ValueError');
    expect(rpcError(() => hosts({ hostname__contains: null })).type).toBe('ValueError');
    expect(rpcError(() => hosts({ hostname: { a: 1 } })).type).toBe('ValueError');
  });

  it('validates every filter even when nothing is left to filter', () => {
    expect(rpcError(() => applyFilters([], { nope: 1 }, FIELDS)).type).toBe('ValueError');
  });

  it('compiles client regexes safely: bounded, checked, and interrupted when too slow', () => {
    expect(rpcError(() => hosts({ hostname__regex: 'a'.repeat(201) })).message).toContain(
      'longer than 200',
    );
    expect(rpcError(() => hosts({ hostname__regex: '(' })).message).toContain(
      'invalid regular expression',
    );
    const rows = [{ hostname: `${'a'.repeat(40)}!` }];
    const started = Date.now();
    expect(
      rpcError(() => applyFilters(rows, { hostname__regex: '^(a+)+$' }, { hostname: 'text' }))
        .message,
    ).toContain('takes too long');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('never throws anything but an RpcError on arbitrary kwargs (property)', () => {
    const key = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc
        .constantFrom('hostname', 'rfs', 'is_faulty')
        .chain((f) =>
          fc
            .constantFrom('', '__exact', '__in', '__regex', '__gt', '__icontains')
            .map((l) => f + l),
        ),
    );
    fc.assert(
      fc.property(fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), (kwargs) => {
        try {
          const kept = applyFilters(MACHINES, kwargs, FIELDS);
          expect(kept.every((m) => MACHINES.includes(m))).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(RpcError);
        }
      }),
    );
  });

  it('parseFilters keeps each argument with its field kind and lookup', () => {
    const [f] = parseFilters({ rfs__in: ['1', 2] }, FIELDS);
    expect(f).toEqual({ key: 'rfs__in', field: 'rfs', kind: 'int', lookup: 'in', operand: [1, 2] });
  });
});
