import { RpcError } from './errors.ts';
import { compileClientRegex, testAll } from './internal/regex.ts';
import { pythonRepr } from './wire.ts';

/**
 * Django-style lookups as SADM's `query(**filters)` passes them to the ORM (`mac=...`,
 * `aliases__contains=...`, `hostname__iregex=...`), evaluated in memory over SADM's dicts.
 */
export const LOOKUPS = [
  'exact',
  'iexact',
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'regex',
  'iregex',
  'in',
  'gt',
  'gte',
  'lt',
  'lte',
] as const;
export type Lookup = (typeof LOOKUPS)[number];

/** How a field's values compare: as text, as integers, or as booleans (Django's field types). */
export type FieldKind = 'text' | 'int' | 'bool';
/** The fields a method lets clients filter on, with their kinds. */
export type FilterFields = Readonly<Record<string, FieldKind>>;

type Scalar = string | number | boolean | null;

/** One parsed `field__lookup=value` argument. */
export interface Filter {
  key: string;
  field: string;
  kind: FieldKind;
  lookup: Lookup;
  /** The value prepared for the field's kind (a list for `in`, a RegExp for regexes). */
  operand: Scalar | Scalar[] | RegExp;
}

const TEXT_LOOKUPS = new Set<Lookup>([
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
]);

/** Validates every filter before anything is read: field, lookup and value. */
export function parseFilters(kwargs: Record<string, unknown>, fields: FilterFields): Filter[] {
  return Object.entries(kwargs).map(([key, value]) => parseFilter(key, value, fields));
}

function parseFilter(key: string, value: unknown, fields: FilterFields): Filter {
  const parts = key.split('__');
  const field = parts[0]!;
  if (parts.length > 2 || !Object.hasOwn(fields, field)) {
    throw new RpcError('ValueError', `${pythonRepr(key)} is not a valid query argument`);
  }
  const lookup = (parts[1] ?? 'exact') as Lookup;
  if (!LOOKUPS.includes(lookup)) {
    throw new RpcError(
      'ValueError',
      `${pythonRepr(key)} is not a valid query argument: unsupported lookup ${pythonRepr(lookup)}`,
    );
  }
  const kind = fields[field]!;
  const base = { key, field, kind, lookup };
  if (lookup === 'in') {
    if (!Array.isArray(value)) throw new RpcError('ValueError', `${key}: expected a list`);
    return { ...base, operand: value.filter((v) => v !== null).map((v) => prepare(base, v)) };
  }
  if ((lookup === 'exact' || lookup === 'iexact') && value === null) {
    return { ...base, operand: null };
  }
  if (value === null) throw new RpcError('ValueError', 'Cannot use None as a query value');
  if (lookup === 'regex' || lookup === 'iregex') {
    return {
      ...base,
      operand: compileClientRegex(key, pythonStr(key, value), lookup === 'iregex'),
    };
  }
  if (lookup === 'iexact' || TEXT_LOOKUPS.has(lookup)) {
    return {
      ...base,
      operand: kind === 'text' ? pythonStr(key, value) : text(prepare(base, value)),
    };
  }
  return { ...base, operand: prepare(base, value) };
}

/** A client's value converted as Django's `get_prep_value` converts it for the field. */
function prepare(f: { key: string; field: string; kind: FieldKind }, value: unknown): Scalar {
  if (f.kind === 'text') return pythonStr(f.key, value);
  if (f.kind === 'int') {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
    if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value);
    throw new RpcError(
      'ValueError',
      `Field ${pythonRepr(f.field)} expected a number but got ${reprValue(value)}.`,
    );
  }
  if (value === true || value === 1 || value === 't' || value === 'True' || value === '1')
    return true;
  if (value === false || value === 0 || value === 'f' || value === 'False' || value === '0')
    return false;
  throw new RpcError('ValueError', `${reprValue(value)} value must be either True or False.`);
}

/** Python's `str()` of a JSON scalar; lists and objects are refused. */
function pythonStr(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  throw new RpcError('ValueError', `${key}: expected a string, a number or a boolean`);
}

const reprValue = (v: unknown) => (typeof v === 'string' ? pythonRepr(v) : JSON.stringify(v));

/** A stored value as PostgreSQL casts it to text (what Django's text lookups compare). */
function text(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** Keeps the records matching every filter (Django ANDs keyword filters). Order is kept. */
export function applyFilters<R extends object>(
  records: readonly R[],
  kwargs: Record<string, unknown>,
  fields: FilterFields,
): R[] {
  let kept = [...records];
  for (const filter of parseFilters(kwargs, fields)) {
    if (kept.length === 0) break;
    const mask = matchAll(filter, kept);
    kept = kept.filter((_, i) => mask[i]);
  }
  return kept;
}

function matchAll(filter: Filter, records: object[]): boolean[] {
  const values = records.map(
    (r) => (r as Record<string, unknown>)[filter.field] as Scalar | undefined,
  );
  const { operand } = filter;
  if (operand instanceof RegExp) {
    const present = values.map((v) => v !== null && v !== undefined);
    const hits = testAll(
      filter.key,
      operand,
      values.map((v) => text(v)),
    );
    return hits.map((hit, i) => hit && present[i]!);
  }
  return values.map((v) => matchOne(filter, v ?? null));
}

function matchOne(filter: Filter, value: Scalar): boolean {
  const operand = filter.operand as Scalar | Scalar[];
  if (operand === null) return value === null;
  if (value === null) return false;
  switch (filter.lookup) {
    case 'exact':
      return value === operand;
    case 'in':
      return (operand as Scalar[]).includes(value);
    case 'iexact':
      return text(value).toLowerCase() === String(operand).toLowerCase();
    case 'gt':
      return value > (operand as string | number);
    case 'gte':
      return value >= (operand as string | number);
    case 'lt':
      return value < (operand as string | number);
    case 'lte':
      return value <= (operand as string | number);
    default:
      return textLookup(filter.lookup, text(value), String(operand));
  }
}

function textLookup(lookup: Lookup, value: string, operand: string): boolean {
  const insensitive = lookup.startsWith('i');
  const v = insensitive ? value.toLowerCase() : value;
  const o = insensitive ? operand.toLowerCase() : operand;
  if (lookup.endsWith('contains')) return v.includes(o);
  if (lookup.endsWith('startswith')) return v.startsWith(o);
  return v.endsWith(o);
}
