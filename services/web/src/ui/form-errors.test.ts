import { describe, expect, it } from 'vitest';
import { ApiError } from './api.ts';
import { foldListErrors, formErrors } from './form-errors.ts';

const FIELDS = ['hostname', 'mac', 'ip'];

describe('formErrors', () => {
  it('puts each known field error under its field and focuses the first in form order', () => {
    const e = new ApiError(400, 'invalid_request', 'invalid body: ...', [
      { field: 'ip', message: 'expected an IPv4 address' },
      { field: 'mac', message: 'expected a MAC address' },
    ]);
    expect(formErrors(e, FIELDS)).toEqual({
      byField: { ip: 'expected an IPv4 address', mac: 'expected a MAC address' },
      general: '',
      first: 'mac',
    });
  });

  it('says above the form what no field shows, and never drops a message', () => {
    const e = new ApiError(400, 'invalid_request', 'invalid body', [
      { field: 'mac', message: 'bad' },
      { field: 'uuid', message: 'unknown field' },
    ]);
    expect(formErrors(e, FIELDS)).toMatchObject({
      byField: { mac: 'bad' },
      general: 'uuid: unknown field',
    });
    const conflict = new ApiError(409, 'conflict', 'hostname pas-r01p01 exists');
    expect(formErrors(conflict, FIELDS)).toEqual({
      byField: {},
      general: 'hostname pas-r01p01 exists',
    });
  });

  it('keeps the first message of a field sent twice', () => {
    const e = new ApiError(400, 'invalid_request', 'x', [
      { field: 'mac', message: 'first' },
      { field: 'mac', message: 'second' },
    ]);
    expect(formErrors(e, FIELDS).byField).toEqual({ mac: 'first' });
  });

  it('reports a network failure above the form', () => {
    expect(formErrors(new TypeError('fetch failed'), FIELDS)).toEqual({
      byField: {},
      general: 'the server did not answer; try again',
    });
  });
});

describe('foldListErrors', () => {
  it('puts a list item error under its list, numbered from 1, and leaves the others', () => {
    const e = new ApiError(400, 'invalid_request', 'invalid body', [
      { field: 'reserved.2', message: 'bad range' },
      { field: 'network', message: 'bad' },
      { field: 'other.1', message: 'kept' },
    ]);
    expect((foldListErrors(e, ['reserved'], 'entry') as ApiError).details).toEqual([
      { field: 'reserved', message: 'entry 3: bad range' },
      { field: 'network', message: 'bad' },
      { field: 'other.1', message: 'kept' },
    ]);
    expect(foldListErrors('down', ['reserved'])).toBe('down');
  });
});
