import type { z } from 'zod';
import { type FieldIssue, invalidRequest } from './errors.ts';

/** Validates an input once at the boundary; a failure is a 400 naming every bad field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = 'body',
): z.output<S> {
  const result = schema.safeParse(input ?? (what === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const details = issuesToFields(result.error.issues);
  const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  throw invalidRequest(`invalid ${what}: ${summary}`, details);
}

export function issuesToFields(issues: z.core.$ZodIssue[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ field: base ? `${base}.${key}` : key, message: 'unknown field' });
      }
    } else {
      out.push({ field: base || '(root)', message: issue.message });
    }
  }
  return out;
}

/**
 * A `limit` query parameter of a list endpoint: absent → `fallback`; else an integer from 1 to
 * `max`, or a 400 naming `limit`.
 */
export function parseLimitParam(value: unknown, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= max)) {
    const message = `expected an integer from 1 to ${max}`;
    throw invalidRequest(`limit: ${message}`, [{ field: 'limit', message }]);
  }
  return n;
}
