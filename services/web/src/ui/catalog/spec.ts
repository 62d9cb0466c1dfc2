/**
 * The catalog tables (rooms, switches, pools, machine types) as data: one spec per table, read by
 * one generic view. Turning typed text into an API body lives here, pure and unit-tested.
 */

/** How a field's text becomes JSON: a string, a number, a nullable one, or a list of words. */
export type FieldKind = 'text' | 'number' | 'optional-text' | 'optional-number' | 'list';

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  /** Set when the record is created only (the key; PATCH refuses it). */
  createOnly?: boolean;
  hint?: string;
  /** A collection whose names the field suggests as you type (`rooms`, `pools`). */
  suggest?: string;
}

export interface CatalogSpec {
  /** The collection under `/api/v1` and the view's path. */
  collection: string;
  /**
   * mdb's streams whose changes the view reloads on: its own table, and for pools the machines
   * too (a pool's use changes when a machine takes an address).
   */
  streams: readonly string[];
  title: string;
  /** One record, for labels: "Add room", "Delete room pasteur?". */
  singular: string;
  fields: readonly FieldSpec[];
  /** Read-only columns computed by the API (a pool's machine types and use). */
  extra?: readonly { label: string; show: (record: Row) => string }[];
  /** What deleting loses, said in the confirmation. */
  deleteNote: string;
}

export type Row = Record<string, unknown> & { name: string };
export type Fields = Record<string, string>;

const NAME: FieldSpec = { name: 'name', label: 'Name', kind: 'text', createOnly: true };
const DESCRIPTION: FieldSpec = { name: 'description', label: 'Description', kind: 'text' };

export const ROOMS: CatalogSpec = {
  collection: 'rooms',
  streams: ['rooms'],
  title: 'Rooms',
  singular: 'room',
  fields: [
    NAME,
    DESCRIPTION,
    {
      name: 'hostname_pattern',
      label: 'Hostname pattern',
      kind: 'optional-text',
      hint: 'Names registration suggests, e.g. pas-r{row:02}p{seat:02}; empty: none.',
    },
    { name: 'seats_per_row', label: 'Seats per row', kind: 'optional-number' },
  ],
  deleteNote: 'mdb refuses while a machine, a switch or a boot profile names it.',
};

export const SWITCHES: CatalogSpec = {
  collection: 'switches',
  streams: ['switches'],
  title: 'Switches',
  singular: 'switch',
  fields: [
    NAME,
    { name: 'chassis', label: 'Chassis MAC', kind: 'text' },
    { name: 'room', label: 'Room', kind: 'text', suggest: 'rooms' },
    { name: 'rfs', label: 'RFS', kind: 'number' },
    { name: 'hfs', label: 'HFS', kind: 'number' },
  ],
  deleteNote: 'LLDP registration stops recognising its ports.',
};

export const POOLS: CatalogSpec = {
  collection: 'pools',
  streams: ['pools', 'machines'],
  title: 'Pools',
  singular: 'pool',
  fields: [
    NAME,
    { name: 'network', label: 'Network (CIDR)', kind: 'text', hint: 'e.g. 192.168.1.0/24' },
    {
      name: 'reserved',
      label: 'Reserved',
      kind: 'list',
      hint: 'Addresses or ranges never handed out, separated by spaces: 192.168.1.1 192.168.1.240-192.168.1.250',
    },
  ],
  extra: [
    { label: 'Machine types', show: (r) => ((r.mtypes as string[]) ?? []).join(', ') },
    { label: 'Used / size', show: (r) => `${r.used ?? 0} / ${r.size ?? 0}` },
  ],
  deleteNote: 'mdb refuses while a machine type draws from it.',
};

export const MACHINE_TYPES: CatalogSpec = {
  collection: 'machine-types',
  streams: ['machine_types'],
  title: 'Machine types',
  singular: 'machine type',
  fields: [
    NAME,
    DESCRIPTION,
    {
      name: 'pool',
      label: 'Pool',
      kind: 'optional-text',
      suggest: 'pools',
      hint: 'The pool new machines of this type take their IP from; empty: explicit IPs only.',
    },
  ],
  deleteNote: 'mdb refuses while a machine or a boot profile names it.',
};

export const CATALOGS: readonly CatalogSpec[] = [ROOMS, SWITCHES, POOLS, MACHINE_TYPES];

/** A record's values as the text the form shows. */
export function toFields(spec: CatalogSpec, record?: Row): Fields {
  const out: Fields = {};
  for (const f of spec.fields) {
    const value = record?.[f.name];
    if (Array.isArray(value)) out[f.name] = value.join(' ');
    else out[f.name] = value === null || value === undefined ? '' : String(value);
  }
  return out;
}

/**
 * Typed text as JSON. A number that does not parse is sent as typed, so the API's own message
 * ("expected number") lands under the field; an empty optional field is null; an empty
 * required one is sent empty on create (the API names it) and left out otherwise.
 */
export function parseField(kind: FieldKind, text: string): unknown {
  const value = text.trim();
  if (kind === 'list') return value ? value.split(/[\s,]+/) : [];
  if (kind.startsWith('optional') && value === '') return null;
  if (kind.endsWith('number'))
    return value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  return value;
}

/** The POST body: every field, empty non-optional numbers left to the API's defaults. */
export function createBody(spec: CatalogSpec, fields: Fields): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of spec.fields) {
    const text = (fields[f.name] ?? '').trim();
    if (text === '' && (f.kind === 'number' || (f.name !== 'name' && f.kind === 'text'))) continue;
    body[f.name] = parseField(f.kind, text);
  }
  return body;
}

/** The PATCH body: only what changed from the record. */
export function patchBody(spec: CatalogSpec, record: Row, fields: Fields): Record<string, unknown> {
  const before = toFields(spec, record);
  const body: Record<string, unknown> = {};
  for (const f of spec.fields) {
    if (f.createOnly || (fields[f.name] ?? '').trim() === (before[f.name] ?? '').trim()) continue;
    body[f.name] = parseField(f.kind, fields[f.name] ?? '');
  }
  return body;
}
