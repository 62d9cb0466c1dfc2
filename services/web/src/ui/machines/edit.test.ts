import type { Machine } from '@lanctl/model';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api.ts';
import { draftOf, editPatch, foldItemErrors, splitAliases } from './edit.ts';

const M: Machine = {
  hostname: 'pas-r01p01',
  aliases: ['printer'],
  ip: '192.168.0.1',
  mac: '52:54:00:12:34:56',
  rfs: 0,
  hfs: 1,
  mtype: 'user',
  room: 'pasteur',
  is_faulty: false,
  is_faulty_details: '',
  uuid: null,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

describe('editPatch', () => {
  it('sends nothing when nothing changed, whatever the spaces typed', () => {
    const draft = { ...draftOf(M), room: ' pasteur ', aliases: 'printer ' };
    expect(editPatch(M, draft)).toEqual({});
  });

  it('sends only the changed fields, trimmed, aliases as a list and numbers as numbers', () => {
    const draft = { ...draftOf(M), room: ' alt', aliases: 'printer, scanner  fax', hfs: '2' };
    expect(editPatch(M, draft)).toEqual({
      room: 'alt',
      aliases: ['printer', 'scanner', 'fax'],
      hfs: 2,
    });
  });

  it('asks for a fresh address when the IP is emptied, and leaves bad numbers to the API', () => {
    expect(editPatch(M, { ...draftOf(M), ip: '  ', rfs: 'two' })).toEqual({
      ip: null,
      rfs: 'two',
    });
  });
});

describe('splitAliases and foldItemErrors', () => {
  it('splits on commas and spaces', () => {
    expect(splitAliases(' a,b  c ,, ')).toEqual(['a', 'b', 'c']);
    expect(splitAliases('')).toEqual([]);
  });

  it('shows an error of one alias under the aliases field', () => {
    const error = new ApiError(400, 'invalid_request', 'bad', [
      { field: 'aliases.1', message: 'expected an RFC 1123 host label' },
      { field: 'ip', message: 'expected an IPv4 address' },
    ]);
    const folded = foldItemErrors(error) as ApiError;
    expect(folded.fieldErrors()).toEqual({
      aliases: 'expected an RFC 1123 host label',
      ip: 'expected an IPv4 address',
    });
    expect(foldItemErrors('other')).toBe('other');
  });
});
