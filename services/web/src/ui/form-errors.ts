import { ApiError } from './api.ts';

export interface FormErrors {
  /** Messages shown under their fields, by field name. */
  byField: Record<string, string>;
  /** What no field of the form can show (a refusal, a conflict without details, no answer). */
  general: string;
  /** The first field in error, in the form's order: where the focus goes. */
  first?: string;
}

/**
 * Splits a failed API call into messages under the form's fields and one above it, so every
 * validation error the API sends is shown somewhere and none is shown twice.
 */
export function formErrors(error: unknown, fields: readonly string[]): FormErrors {
  if (!(error instanceof ApiError)) {
    return { byField: {}, general: 'the server did not answer; try again' };
  }
  const all = error.fieldErrors();
  const byField = Object.fromEntries(Object.entries(all).filter(([f]) => fields.includes(f)));
  const others = Object.entries(all).filter(([f]) => !fields.includes(f));
  const first = fields.find((f) => f in byField);
  let general = others.map(([f, m]) => `${f}: ${m}`).join('; ');
  if (!first && !general) general = error.message;
  return { byField, general, ...(first ? { first } : {}) };
}

/**
 * The API's errors on list items (`ssh_keys.2`) under the list's field (`ssh_keys`, "line 3:
 * ..."), so `formErrors` shows them next to the list's field rather than above the form.
 */
export function foldListErrors(error: unknown, lists: readonly string[], item = 'line'): unknown {
  if (!(error instanceof ApiError)) return error;
  const details = error.details.map((d) => {
    const [head, index] = d.field.split('.');
    if (!head || !lists.includes(head) || index === undefined || !/^\d+$/.test(index)) return d;
    return { field: head, message: `${item} ${Number(index) + 1}: ${d.message}` };
  });
  return new ApiError(error.status, error.code, error.message, details);
}
