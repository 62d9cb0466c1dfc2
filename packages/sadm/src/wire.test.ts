import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  callFromJson,
  decodeCall,
  encodeException,
  encodeResult,
  pythonJson,
  pythonRepr,
} from './wire.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('envelopes', () => {
  it('are what SADM writes: json.dumps defaults, keys in order, a trailing newline', () => {
    expect(encodeResult([{ hostname: 'a', rfs: 0, ok: true }]).toString()).toBe(
      '{"type": "result", "data": [{"hostname": "a", "rfs": 0, "ok": true}]}\n',
    );
    expect(encodeResult(null).toString()).toBe('{"type": "result", "data": null}\n');
    expect(encodeException('MethodError', 'nope').toString()).toBe(
      '{"type": "exception", "exn_type": "MethodError", "exn_message": "nope", "exn_traceback": []}\n',
    );
  });

  it('escapes like ensure_ascii and refuses what is not JSON', () => {
    expect(pythonJson('é"\\\n\u0001\u007f😀')).toBe(
      '"\\u00e9\\"\\\\\\n\\u0001\\u007f\\ud83d\\ude00"',
    );
    expect(pythonJson({ a: undefined, b: [undefined], c: {} })).toBe('{"b": [null], "c": {}}');
    expect(() => pythonJson(10n)).toThrow(TypeError);
    expect(() => pythonJson(Number.NaN)).toThrow(TypeError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => pythonJson(cycle)).toThrow(TypeError);
  });

  it('match python3 json.dumps byte for byte on random values', () => {
    const value = fc.letrec((tie) => ({
      any: fc.oneof(
        { maxDepth: 3 },
        fc.constant(null),
        fc.boolean(),
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.array(tie('any'), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('any'), { maxKeys: 4 }),
      ),
    })).any;
    const samples = fc.sample(value, { numRuns: 300, seed: 42 });
    const script =
      'import json,sys\nfor line in sys.stdin:\n    print(json.dumps(json.loads(line)))\n';
    const input = samples.map((s) => JSON.stringify(s)).join('\n');
    const out = execFileSync('python3', ['-c', script], { input, encoding: 'utf8' });
    expect(out.trimEnd().split('\n')).toEqual(samples.map((s) => pythonJson(s)));
  });
});

describe('decodeCall', () => {
  it('merges the body over {"args": [], "kwargs": {}}, keeping hmac', () => {
    expect(decodeCall(bytes('{"kwargs": {"mac": "x"}, "hmac": "1:ab"}\n'))).toEqual({
      ok: true,
      call: { args: [], kwargs: { mac: 'x' }, hmac: '1:ab' },
    });
    expect(decodeCall(bytes(' \n'))).toEqual({ ok: true, call: { args: [], kwargs: {} } });
  });

  it('names the Python exception for what it cannot decode', () => {
    const err = (s: Uint8Array) => {
      const r = decodeCall(s);
      return r.ok ? 'ok' : r.error;
    };
    expect(err(bytes('{"args": ['))).toBe('JSONDecodeError');
    expect(err(new Uint8Array([0x7b, 0xff, 0x7d]))).toBe('UnicodeDecodeError');
    expect(err(bytes('[1]'))).toBe('TypeError');
    expect(err(bytes('{"args": {}}'))).toBe('TypeError');
    expect(err(bytes('{"kwargs": []}'))).toBe('TypeError');
    expect(callFromJson('x')).toMatchObject({ ok: false, error: 'TypeError' });
  });

  it('never throws, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (body) => {
        const r = decodeCall(body);
        if (r.ok) {
          expect(Array.isArray(r.call.args)).toBe(true);
          expect(typeof r.call.kwargs).toBe('object');
        }
      }),
    );
  });

  it('round-trips any args and kwargs (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()), (a, k) => {
        const r = decodeCall(bytes(JSON.stringify({ args: a, kwargs: k })));
        expect(r).toEqual({ ok: true, call: JSON.parse(JSON.stringify({ args: a, kwargs: k })) });
      }),
    );
  });
});

describe('pythonRepr', () => {
  it('quotes as Python does', () => {
    expect(pythonRepr('foo')).toBe("'foo'");
    expect(pythonRepr("it's")).toBe('"it\'s"');
    expect(pythonRepr('a\'b"c')).toBe("'a\\'b\"c'");
    expect(pythonRepr('a\nb\\')).toBe("'a\\nb\\\\'");
  });
});
