import { describe, expect, it } from 'vitest';
import { bindArguments } from './args.ts';
import { RpcError } from './errors.ts';

const PARAMS = ['hostname', 'mac', 'rfs'];

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RpcError);
    expect((e as RpcError).type).toBe('TypeError');
    return (e as RpcError).message;
  }
  throw new Error('expected a TypeError');
}

describe('bindArguments', () => {
  it('binds positional arguments first, then keywords', () => {
    expect(bindArguments('register', PARAMS, ['h'], { rfs: 1, mac: 'm' })).toEqual({
      values: { hostname: 'h', mac: 'm', rfs: 1 },
      extra: {},
    });
  });

  it('collects extra keywords only when asked (**kwargs)', () => {
    expect(bindArguments('query', [], [], { mac: 'x' }, { extraKwargs: true })).toEqual({
      values: {},
      extra: { mac: 'x' },
    });
    expect(message(() => bindArguments('ansible', [], [], { x: 1 }))).toBe(
      "ansible() got an unexpected keyword argument 'x'",
    );
  });

  it("speaks CPython's TypeError messages", () => {
    expect(message(() => bindArguments('query', [], [1], {}, { extraKwargs: true }))).toBe(
      'query() takes 1 positional argument but 2 were given',
    );
    expect(message(() => bindArguments('register', PARAMS, [1, 2, 3, 4], {}))).toBe(
      'register() takes 4 positional arguments but 5 were given',
    );
    expect(message(() => bindArguments('register', PARAMS, ['h'], { hostname: 'h' }))).toBe(
      "register() got multiple values for argument 'hostname'",
    );
    expect(message(() => bindArguments('register', PARAMS, ['h', 'm'], {}))).toBe(
      "register() missing 1 required positional argument: 'rfs'",
    );
    expect(message(() => bindArguments('register', PARAMS, ['h'], {}))).toBe(
      "register() missing 2 required positional arguments: 'mac' and 'rfs'",
    );
    expect(message(() => bindArguments('register', PARAMS, [], {}))).toBe(
      "register() missing 3 required positional arguments: 'hostname', 'mac', and 'rfs'",
    );
  });
});
