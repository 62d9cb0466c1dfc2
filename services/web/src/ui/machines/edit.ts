import type { Machine } from '@lanctl/model';
import { ApiError } from '../api.ts';

/** Pure logic of the inline editor: the draft of a row, what a save sends, where errors go. */

export const EDIT_FIELDS = [
  'hostname',
  'ip',
  'mac',
  'room',
  'mtype',
  'aliases',
  'rfs',
  'hfs',
] as const;
export type EditField = (typeof EDIT_FIELDS)[number];
export type Draft = Record<EditField, string>;

export const EDIT_LABELS: Draft = {
  hostname: 'Hostname',
  ip: 'IP address',
  mac: 'MAC address',
  room: 'Room',
  mtype: 'Type',
  aliases: 'Aliases',
  rfs: 'RFS',
  hfs: 'HFS',
};

/** The editable text of a machine, as the inputs show it. */
export function draftOf(m: Machine): Draft {
  return {
    hostname: m.hostname,
    ip: m.ip,
    mac: m.mac,
    room: m.room,
    mtype: m.mtype,
    aliases: m.aliases.join(' '),
    rfs: String(m.rfs),
    hfs: String(m.hfs),
  };
}

/** "a, b  c" → ["a", "b", "c"]: aliases typed separated by commas or spaces. */
export const splitAliases = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((a) => a.trim())
    .filter(Boolean);

/** A typed integer as a number; anything else as typed, so the API names the field. */
const numberOrText = (text: string): number | string =>
  /^\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim();

/**
 * The PATCH body: only the fields that changed, trimmed; an emptied IP asks for a fresh
 * address from the type's pool (`ip: null`).
 */
export function editPatch(before: Machine, draft: Draft): Record<string, unknown> {
  const was = draftOf(before);
  const patch: Record<string, unknown> = {};
  for (const name of EDIT_FIELDS) {
    if (draft[name].trim() === was[name]) continue;
    const value = draft[name].trim();
    if (name === 'aliases') {
      const list = splitAliases(value);
      if (list.join(' ') !== was.aliases) patch.aliases = list;
    } else if (name === 'rfs' || name === 'hfs') patch[name] = numberOrText(value);
    else if (name === 'ip') patch.ip = value === '' ? null : value;
    else patch[name] = value;
  }
  return patch;
}

/** `aliases.2` is shown under Aliases: per-item paths fold onto their field. */
export function foldItemErrors(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const details = error.details.map((d) => ({ ...d, field: d.field.replace(/\.\d+$/, '') }));
  return new ApiError(error.status, error.code, error.message, details);
}
