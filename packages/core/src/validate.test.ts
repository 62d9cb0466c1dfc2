import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { issuesToFields, parseInput } from './validate.ts';

const schema = z
  .object({
    hostname: z.string().min(1),
    nested: z.object({ port: z.number() }).strict().optional(),
    list: z.array(z.number()).optional(),
  })
  .strict();

function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected an AppError');
}

describe('parseInput', () => {
  it('returns the parsed value', () => {
    expect(parseInput(schema, { hostname: 'pc' })).toEqual({ hostname: 'pc' });
  });

  it('names every unknown field, nested ones by dotted path', () => {
    const e = appError(() =>
      parseInput(schema, { hostname: 'pc', extra: 1, other: 2, nested: { port: 1, portt: 2 } }),
    );
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid_request');
    expect(e.details).toEqual(
      expect.arrayContaining([
        { field: 'extra', message: 'unknown field' },
        { field: 'other', message: 'unknown field' },
        { field: 'nested.portt', message: 'unknown field' },
      ]),
    );
    expect(e.message).toMatch(/^invalid body: /);
    expect(e.message).toContain('extra: unknown field');
    expect(e.message).toContain('nested.portt: unknown field');
  });

  it('names wrong types by path, array indexes included', () => {
    const e = appError(() => parseInput(schema, { hostname: '', list: [1, 'two'] }));
    const fields = (e.details as { field: string }[]).map((d) => d.field).sort();
    expect(fields).toEqual(['hostname', 'list.1']);
  });

  it('reports a missing body as (root)', () => {
    const e = appError(() => parseInput(schema, undefined));
    expect(e.details).toEqual([{ field: '(root)', message: expect.any(String) }]);
  });

  it('treats a missing query as an empty object and names what it parsed', () => {
    const query = z.object({ limit: z.coerce.number().default(10) }).strict();
    expect(parseInput(query, undefined, 'query')).toEqual({ limit: 10 });
    const e = appError(() => parseInput(query, { limt: '5' }, 'query'));
    expect(e.message).toBe('invalid query: limt: unknown field');
  });
});

describe('issuesToFields', () => {
  it('maps zod issues to field/message pairs', () => {
    const result = schema.safeParse({ hostname: 5, a: 1, b: 2 });
    expect(result.success).toBe(false);
    const fields = issuesToFields(result.error!.issues);
    expect(fields).toContainEqual({ field: 'a', message: 'unknown field' });
    expect(fields).toContainEqual({ field: 'b', message: 'unknown field' });
    expect(fields.find((f) => f.field === 'hostname')?.message).toMatch(/string/);
  });

  it('returns nothing for no issues', () => {
    expect(issuesToFields([])).toEqual([]);
  });
});
