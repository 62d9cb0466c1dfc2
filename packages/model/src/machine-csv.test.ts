import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMachineCsv } from './machine-csv.ts';

describe('parseMachineCsv', () => {
  it('reads a header, RFC 4180 quoting, numbers and space-separated aliases', () => {
    const csv =
      '\uFEFFHostname,mac,room,rfs,aliases,boot_profile\r\n' +
      'pc1,52:54:00:00:00:01,pasteur,2,"www ftp",\r\n' +
      '\r\n' +
      '"pc2",52-54-00-00-00-02,,,,local-disk\n';
    expect(parseMachineCsv(csv)).toEqual({
      rows: [
        {
          hostname: 'pc1',
          mac: '52:54:00:00:00:01',
          room: 'pasteur',
          rfs: 2,
          aliases: ['www', 'ftp'],
        },
        { hostname: 'pc2', mac: '52-54-00-00-00-02', boot_profile: 'local-disk' },
      ],
      lines: [1, 3],
      errors: [],
    });
  });

  it('names unknown, repeated and missing columns in the header', () => {
    expect(parseMachineCsv('hostname,mac,colour,size\n').errors[0]!.message).toBe(
      'header: unknown columns "colour", "size" (known: hostname, mac, room, mtype, ip, rfs, hfs, aliases, boot_profile, uuid)',
    );
    expect(parseMachineCsv('hostname,mac,mac\n').errors[0]!.message).toMatch(/"mac" appears twice/);
    expect(parseMachineCsv('hostname,room\npc1,alt\n').errors[0]!.message).toBe(
      'header: missing column mac',
    );
  });

  it('reports row errors with the row and the field', () => {
    const out = parseMachineCsv('hostname,mac,rfs\npc1,,x\npc2,m,1,extra\n"pc3,m,1\n');
    expect(out.rows).toEqual([]);
    expect(out.errors).toEqual([
      { row: 1, field: 'rfs', message: 'expected a whole number' },
      { row: 1, field: 'mac', message: 'required' },
      { row: 2, message: 'expected 3 cells (hostname, mac, rfs), got 4' },
      { row: 3, message: 'unterminated quoted field' },
    ]);
  });

  it('refuses an empty file and a header alone', () => {
    expect(parseMachineCsv('').errors[0]!.row).toBe(0);
    expect(parseMachineCsv('hostname,mac\n').errors[0]!.message).toBe(
      'no machines below the header',
    );
  });

  it('never throws, and every row or error is accounted for', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (body) => {
        const out = parseMachineCsv(`hostname,mac,aliases\n${body}`);
        expect(out.rows.length).toBe(out.lines.length);
        for (const row of out.rows) expect(typeof row.hostname).toBe('string');
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        parseMachineCsv(text);
      }),
    );
  });
});
