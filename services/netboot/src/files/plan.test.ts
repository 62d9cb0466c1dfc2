import { describe, expect, it } from 'vitest';
import { type ConditionalHeaders, contentTypeOf, planResponse, validatorsOf } from './plan.ts';

const file = { size: 1000, mtimeMs: 1_700_000_000_500, ino: 42 };
const v = validatorsOf(file);
const plan = (h: ConditionalHeaders, method: 'GET' | 'HEAD' = 'GET') =>
  planResponse(method, h, file, v);
const later = new Date((v.mtimeSec + 10) * 1000).toUTCString();
const earlier = new Date((v.mtimeSec - 10) * 1000).toUTCString();

describe('validatorsOf', () => {
  it('makes a strong tag from size, mtime and inode, and a second-resolution date', () => {
    expect(v.etag).toBe(`"3e8-${Math.floor(file.mtimeMs).toString(16)}-2a"`);
    expect(v.lastModified).toBe('Tue, 14 Nov 2023 22:13:20 GMT');
    expect(validatorsOf({ ...file, ino: 43 }).etag).not.toBe(v.etag);
    expect(validatorsOf({ ...file, size: 999 }).etag).not.toBe(v.etag);
  });
});

describe('planResponse', () => {
  it('answers the whole file without conditions', () => {
    expect(plan({})).toEqual({ status: 200, start: 0, end: 999, length: 1000, reason: 'whole' });
  });
  it('answers 304 to a matching If-None-Match (weak comparison, lists, *)', () => {
    expect(plan({ 'if-none-match': v.etag })).toEqual({ status: 304 });
    expect(plan({ 'if-none-match': `W/${v.etag}` })).toEqual({ status: 304 });
    expect(plan({ 'if-none-match': `"x", ${v.etag}` })).toEqual({ status: 304 });
    expect(plan({ 'if-none-match': '*' })).toEqual({ status: 304 });
    expect(plan({ 'if-none-match': '"other"' }).status).toBe(200);
  });
  it('ignores If-Modified-Since when If-None-Match is present', () => {
    expect(plan({ 'if-none-match': '"other"', 'if-modified-since': later }).status).toBe(200);
  });
  it('answers 304 when not modified since, 200 when modified, 200 on a bad date', () => {
    expect(plan({ 'if-modified-since': later })).toEqual({ status: 304 });
    expect(plan({ 'if-modified-since': v.lastModified })).toEqual({ status: 304 });
    expect(plan({ 'if-modified-since': earlier }).status).toBe(200);
    expect(plan({ 'if-modified-since': 'yesterday-ish' }).status).toBe(200);
  });
  it('answers 412 to a failed If-Match or If-Unmodified-Since', () => {
    expect(plan({ 'if-match': '"other"' })).toEqual({ status: 412 });
    expect(plan({ 'if-match': `W/${v.etag}` })).toEqual({ status: 412 });
    expect(plan({ 'if-match': v.etag }).status).toBe(200);
    expect(plan({ 'if-unmodified-since': earlier })).toEqual({ status: 412 });
    expect(plan({ 'if-unmodified-since': later }).status).toBe(200);
  });
  it('serves a single range as 206 and an unsatisfiable one as 416', () => {
    expect(plan({ range: 'bytes=10-19' })).toEqual({ status: 206, start: 10, end: 19, length: 10 });
    expect(plan({ range: 'bytes=-1' })).toEqual({ status: 206, start: 999, end: 999, length: 1 });
    expect(plan({ range: 'bytes=1000-' })).toEqual({ status: 416 });
  });
  it('answers the whole file to several ranges and to an invalid one', () => {
    expect(plan({ range: 'bytes=0-1,5-6' })).toMatchObject({ status: 200, reason: 'multi' });
    expect(plan({ range: 'bytes=9-1' })).toMatchObject({ status: 200, reason: 'whole' });
  });
  it('ignores Range on HEAD', () => {
    expect(plan({ range: 'bytes=0-1' }, 'HEAD')).toMatchObject({ status: 200, length: 1000 });
  });
  it('honours If-Range only on an exact strong match', () => {
    expect(plan({ range: 'bytes=0-1', 'if-range': v.etag }).status).toBe(206);
    expect(plan({ range: 'bytes=0-1', 'if-range': v.lastModified }).status).toBe(206);
    for (const stale of ['"other"', `W/${v.etag}`, later, 'garbage']) {
      expect(plan({ range: 'bytes=0-1', 'if-range': stale })).toMatchObject({
        status: 200,
        reason: 'if-range',
      });
    }
  });
  it('gives conditionals precedence over Range', () => {
    expect(plan({ range: 'bytes=0-1', 'if-none-match': v.etag })).toEqual({ status: 304 });
  });
});

describe('contentTypeOf', () => {
  it('is text/plain for iPXE scripts and text, octet-stream otherwise', () => {
    expect(contentTypeOf('a/boot.IPXE')).toBe('text/plain; charset=utf-8');
    expect(contentTypeOf('notes.txt')).toBe('text/plain; charset=utf-8');
    expect(contentTypeOf('vmlinuz')).toBe('application/octet-stream');
    expect(contentTypeOf('initrd.img')).toBe('application/octet-stream');
  });
});
