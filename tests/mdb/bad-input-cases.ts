/**
 * The table for bad-input.test.ts: each row is a request mdb must refuse, with the status and
 * error code it must answer, the field the error must name and text it must mention. The
 * database holds machines ALPHA and BETA when these run.
 */
import { type CallOptions, call, type Keys, type Reply, rawExchange } from './support.ts';

export const ALPHA = { hostname: 'alpha', mac: '02:00:00:00:00:01', aliases: ['alpha-alias'] };
export const BETA = { hostname: 'beta', mac: '02:00:00:00:00:02' };
const NEW = { hostname: 'newbie', mac: '02:00:00:00:00:03' };
export const SQL = "a'; DROP TABLE machines;--";
const MIB = 1024 * 1024;
const DAY = 24 * 3600 * 1000;

export interface Ctx {
  url: string;
  keys: Keys;
}

type Send = (ctx: Ctx) => Promise<Reply>;

export interface BadInput {
  name: string;
  send: Send;
  status: number;
  /** `error.code`; null: no JSON error body at all (Node's HTTP parser refused the request). */
  code: string | null;
  /** A field `error.details[].field` (or, without details, `error.message`) must name. */
  field?: string;
  /** Text `error.message` must contain, e.g. the machine already holding a name. */
  mentions?: string;
}

const refused = (
  name: string,
  send: Send,
  status: number,
  code: string | null,
  field?: string,
  mentions?: string,
): BadInput => ({ name, send, status, code, field, mentions });

const INVALID = 'invalid_request';
const UNPROCESSABLE = 'unprocessable';
const CONFLICT = 'conflict';
const IN_USE = 'in_use';
const NOT_FOUND = 'not_found';
const UNAUTHORIZED = 'unauthorized';
const FORBIDDEN = 'forbidden';

type TokenName = 'root' | 'reader' | 'foreign' | 'expired';
const as =
  (method: string, path: string, json?: unknown, token: TokenName | null = 'root'): Send =>
  (ctx) =>
    call(ctx.url, path, { method, json, token: token === null ? undefined : ctx.keys[token] });
const post = (json: unknown, token: TokenName | null = 'root') =>
  as('POST', '/api/v1/machines', json, token);
const patch = (hostname: string, json: unknown) =>
  as('PATCH', `/api/v1/machines/${encodeURIComponent(hostname)}`, json);
const get = (path: string) => as('GET', path);
const withHeaders =
  (headers: Record<string, string>): Send =>
  (ctx) =>
    call(ctx.url, '/api/v1/machines', { method: 'POST', json: NEW, headers });
/** Self-registration update; `until` in days from when the request is sent. */
const selfRegistration =
  (value: boolean, fields: { days?: number; duration_seconds?: number; raw?: string } = {}): Send =>
  (ctx) => {
    const body: Record<string, unknown> = { value };
    if (fields.days !== undefined) {
      body.enabled_until = new Date(Date.now() + fields.days * DAY).toISOString();
    }
    if (fields.raw !== undefined) body.enabled_until = fields.raw;
    if (fields.duration_seconds !== undefined) body.duration_seconds = fields.duration_seconds;
    return as('PUT', '/api/v1/settings/allow_self_registration', body)(ctx);
  };
/** A body sent as the given bytes with the given headers (nothing fixed up). */
const raw =
  (
    body: Buffer | string,
    headers: Record<string, string>,
    extra: Partial<CallOptions> = {},
  ): Send =>
  (ctx) =>
    call(ctx.url, '/api/v1/machines', {
      method: 'POST',
      token: ctx.keys.root,
      raw: body,
      headers,
      ...extra,
    });
const JSON_TYPE = { 'content-type': 'application/json' };
/** `{"hostname":"x<bytes>","mac":...}`: arbitrary bytes inside a JSON string. */
const withBytes = (bytes: number[]) =>
  raw(
    Buffer.concat([
      Buffer.from('{"hostname":"x'),
      Buffer.from(bytes),
      Buffer.from(`","mac":"${NEW.mac}"}`),
    ]),
    JSON_TYPE,
  );
/** A machine creation whose head declares `length` body bytes, whatever is sent. */
const lyingHead = (ctx: Ctx, length: number) =>
  `POST /api/v1/machines HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ctx.keys.root}\r\n` +
  `Content-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;
const newBody = () => Buffer.from(JSON.stringify(NEW));
const oversize = () => Buffer.from(JSON.stringify({ ...NEW, is_faulty_details: 'x'.repeat(MIB) }));

// biome-ignore format: one request a line reads as a table
export const CASES: BadInput[] = [
  // MAC addresses
  refused('MAC with non-hex digits', post({ ...NEW, mac: 'zz:zz:zz:zz:zz:zz' }), 400, INVALID, 'mac'),
  refused('MAC too short', post({ ...NEW, mac: '02:00:00:00:00' }), 400, INVALID, 'mac'),
  refused('MAC, mixed separators', post({ ...NEW, mac: '02:00-00:00:00:03' }), 400, INVALID, 'mac'),
  refused('MAC too long', post({ ...NEW, mac: '02:00:00:00:00:03:04' }), 400, INVALID, 'mac'),
  refused('duplicate MAC', post({ ...NEW, mac: '02:00:00:00:00:01' }), 409, CONFLICT, 'mac', '"alpha"'),
  // Addresses
  refused('IP outside every pool', post({ ...NEW, ip: '10.250.0.1' }), 422, UNPROCESSABLE, 'ip'),
  refused('IP = network address', post({ ...NEW, ip: '192.168.0.0' }), 422, UNPROCESSABLE, 'ip'),
  refused('IP = broadcast address', post({ ...NEW, ip: '192.168.0.255' }), 422, UNPROCESSABLE, 'ip'),
  refused('IP with an octet > 255', post({ ...NEW, ip: '192.168.0.300' }), 400, INVALID, 'ip'),
  refused('IP with leading zeros', post({ ...NEW, ip: '192.168.000.7' }), 400, INVALID, 'ip'),
  refused('IP already taken', post({ ...NEW, ip: '192.168.0.1' }), 409, CONFLICT, 'ip', '"alpha"'),
  // Names
  refused("hostname = other's alias", post({ ...NEW, hostname: 'alpha-alias' }), 409, CONFLICT, 'hostname', '"alpha"'),
  refused("alias = other's hostname", post({ ...NEW, aliases: ['beta'] }), 409, CONFLICT, 'aliases', '"beta"'),
  refused("alias = other's alias", post({ ...NEW, aliases: ['ALPHA-alias'] }), 409, CONFLICT, 'aliases', '"alpha"'),
  refused('alias = own hostname', post({ ...NEW, aliases: ['newbie'] }), 422, UNPROCESSABLE, 'aliases'),
  refused('repeated alias', post({ ...NEW, aliases: ['n-a', 'N-A'] }), 400, INVALID, 'aliases'),
  refused("PATCH hostname to other's alias", patch('beta', { hostname: 'alpha-alias' }), 409, CONFLICT, 'hostname', '"alpha"'),
  refused("PATCH alias to other's hostname", patch('beta', { aliases: ['alpha'] }), 409, CONFLICT, 'aliases', '"alpha"'),
  refused("PATCH MAC to other's", patch('beta', { mac: ALPHA.mac }), 409, CONFLICT, 'mac', '"alpha"'),
  refused('PATCH IP to a network address', patch('beta', { ip: '192.168.1.0' }), 422, UNPROCESSABLE, 'ip'),
  // Sizes
  refused('body > 1 MiB, content-length', raw(oversize(), JSON_TYPE), 413, 'payload_too_large'),
  refused('body > 1 MiB, chunked', raw(oversize(), JSON_TYPE, { chunked: true }), 413, 'payload_too_large'),
  refused('65 aliases', post({ ...NEW, aliases: Array.from({ length: 65 }, (_, i) => `a${i}`) }), 400, INVALID, 'aliases'),
  refused('64-character hostname', post({ ...NEW, hostname: 'h'.repeat(64) }), 400, INVALID, 'hostname'),
  // Types and shapes
  refused('rfs as a string', post({ ...NEW, rfs: '1' }), 400, INVALID, 'rfs'),
  refused('rfs as a fraction', post({ ...NEW, rfs: 1.5 }), 400, INVALID, 'rfs'),
  refused('aliases as a string', post({ ...NEW, aliases: 'a,b' }), 400, INVALID, 'aliases'),
  refused('is_faulty as a string', post({ ...NEW, is_faulty: 'yes' }), 400, INVALID, 'is_faulty'),
  refused('hostname as a number', post({ ...NEW, hostname: 42 }), 400, INVALID, 'hostname'),
  refused('mac missing', post({ hostname: NEW.hostname }), 400, INVALID, 'mac'),
  refused('body is an array', post([NEW]), 400, INVALID, '(root)'),
  refused('body is JSON null', raw('null', JSON_TYPE), 400, INVALID, '(root)'),
  refused('unknown field', post({ ...NEW, colour: 'red' }), 400, INVALID, 'colour'),
  refused('unknown field in PATCH', patch('beta', { owner: 'x' }), 400, INVALID, 'owner'),
  refused('__proto__ key', raw(`{"hostname":"newbie","mac":"${NEW.mac}","__proto__":{"rfs":"1"}}`, JSON_TYPE), 400, INVALID, '__proto__'),
  // Injection
  refused('SQL in hostname', post({ ...NEW, hostname: SQL }), 400, INVALID, 'hostname'),
  refused('SQL in mtype', post({ ...NEW, mtype: SQL }), 400, INVALID, 'mtype'),
  refused('SQL in an alias', post({ ...NEW, aliases: [SQL] }), 400, INVALID, 'aliases.0'),
  refused('SQL as PATCH target', patch(SQL, { rfs: 1 }), 404, NOT_FOUND, undefined, SQL),
  refused('SQL in ?mtype=', get(`/api/v1/machines?mtype=${encodeURIComponent(SQL)}`), 400, INVALID, 'mtype'),
  // Encoding
  refused('invalid UTF-8 bytes', withBytes([0xff, 0xfe]), 400, INVALID, undefined, 'UTF-8'),
  refused('overlong UTF-8', withBytes([0xc0, 0xaf]), 400, INVALID, undefined, 'UTF-8'),
  refused('UTF-8-encoded surrogate', withBytes([0xed, 0xa0, 0x80]), 400, INVALID, undefined, 'UTF-8'),
  refused('truncated UTF-8 sequence', withBytes([0xe2, 0x82]), 400, INVALID, undefined, 'UTF-8'),
  refused('NUL in hostname', post({ ...NEW, hostname: 'new\u0000bie' }), 400, INVALID, 'hostname'),
  refused('NUL in an alias', post({ ...NEW, aliases: ['ok', 'b\u0000d'] }), 400, INVALID, 'aliases.1'),
  refused('NUL in a key', post({ ...NEW, 'x\u0000y': 1 }), 400, INVALID, 'x\u0000y'),
  refused('malformed JSON', raw('{"hostname": "newbie",', JSON_TYPE), 400, INVALID, undefined, 'JSON'),
  refused('no content-type', raw(JSON.stringify(NEW), {}), 415, 'unsupported_media_type'),
  refused('text/plain body', raw(JSON.stringify(NEW), { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'),
  refused('form body', raw('hostname=newbie', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type'),
  refused(
    'content-length shorter than the body',
    (ctx) => rawExchange(ctx.url, lyingHead(ctx, 10), newBody().subarray(0, 10), { rest: newBody().subarray(10) }),
    400,
    INVALID,
    undefined,
    'JSON',
  ),
  // Node's HTTP parser answers: the request never reaches a handler whole.
  refused('content-length longer than the body', (ctx) => rawExchange(ctx.url, lyingHead(ctx, 100), newBody(), { halfClose: true }), 400, null),
  // References
  refused('unknown mtype', post({ ...NEW, mtype: 'toaster' }), 422, UNPROCESSABLE, 'mtype', 'toaster'),
  refused('unknown room', post({ ...NEW, room: 'attic' }), 422, UNPROCESSABLE, 'room', 'attic'),
  refused('PATCH to an unknown room', patch('beta', { room: 'attic' }), 422, UNPROCESSABLE, 'room'),
  refused('PATCH of a missing machine', patch('ghost', { rfs: 1 }), 404, NOT_FOUND, undefined, 'ghost'),
  refused('DELETE of a missing machine', as('DELETE', '/api/v1/machines/ghost'), 404, NOT_FOUND, undefined, 'ghost'),
  // Authentication and roles
  refused('no token', post(NEW, null), 401, UNAUTHORIZED),
  refused('garbage token', withHeaders({ authorization: 'Bearer not-a-token' }), 401, UNAUTHORIZED),
  refused('Basic credentials', withHeaders({ authorization: 'Basic cm9vdDpyb290' }), 401, UNAUTHORIZED),
  refused('token signed by another key', post(NEW, 'foreign'), 401, UNAUTHORIZED),
  refused('expired token', post(NEW, 'expired'), 401, UNAUTHORIZED),
  refused('reader token creating', post(NEW, 'reader'), 403, FORBIDDEN),
  refused('reader token deleting', as('DELETE', '/api/v1/machines/alpha', undefined, 'reader'), 403, FORBIDDEN),
  refused('reader token setting', as('PUT', '/api/v1/settings/allow_self_registration', { value: false }, 'reader'), 403, FORBIDDEN),
  // Self-registration window
  refused('self-registration on without expiry', selfRegistration(true), 422, UNPROCESSABLE, 'enabled_until'),
  refused('self-registration on, past expiry', selfRegistration(true, { days: -1 }), 422, UNPROCESSABLE, 'enabled_until'),
  refused('self-registration on for 8 days', selfRegistration(true, { days: 8 }), 422, UNPROCESSABLE, 'enabled_until'),
  refused('self-registration on for 8 days (duration)', selfRegistration(true, { duration_seconds: 8 * 86400 }), 400, INVALID, 'duration_seconds'),
  refused('self-registration, both expiry forms', selfRegistration(true, { days: 1, duration_seconds: 60 }), 422, UNPROCESSABLE, 'enabled_until'),
  refused('self-registration expiry not a date', selfRegistration(true, { raw: 'tomorrow' }), 400, INVALID, 'enabled_until'),
  refused('self-registration off with an expiry', selfRegistration(false, { days: 1 }), 422, UNPROCESSABLE, 'enabled_until'),
  refused('unknown setting', as('PUT', '/api/v1/settings/allow_everything', { value: true }), 404, NOT_FOUND, undefined, 'allow_everything'),
  // Catalog
  refused('pool reserving outside itself', as('PATCH', '/api/v1/pools/user', { reserved: ['10.0.0.1'] }), 422, UNPROCESSABLE, 'reserved'),
  refused('pool moved onto another', as('PATCH', '/api/v1/pools/user', { network: '192.168.1.0/24' }), 409, CONFLICT, 'network', '"service"'),
  refused('pool shrunk off its machines', as('PATCH', '/api/v1/pools/user', { network: '192.168.0.128/25' }), 409, CONFLICT, 'network', '"alpha"'),
  refused('pool network with host bits', as('POST', '/api/v1/pools', { name: 'p2', network: '10.1.0.1/24' }), 400, INVALID, 'network'),
  refused('type with an unknown pool', as('POST', '/api/v1/machine-types', { name: 't2', pool: 'nowhere' }), 422, UNPROCESSABLE, 'pool'),
  refused('deleting a type in use', as('DELETE', '/api/v1/machine-types/orga'), 409, IN_USE, undefined, 'used by machine "'),
  refused('deleting a room in use', as('DELETE', '/api/v1/rooms/other'), 409, IN_USE, undefined, 'used by machine "'),
  refused('deleting a pool in use', as('DELETE', '/api/v1/pools/user'), 409, IN_USE, undefined, 'used by machine type'),
  // Netboot: boot profiles, expect lists, registrations (closed here), bulk import
  refused('profile kernel with a path', as('POST', '/api/v1/boot-profiles', { name: 'p1', kind: 'rfs', kernel: '../../etc/shadow' }), 400, INVALID, 'kernel'),
  refused('profile http kernel not a URL', as('POST', '/api/v1/boot-profiles', { name: 'p1', kind: 'http', kernel: 'vmlinuz' }), 400, INVALID, 'kernel'),
  refused('profile cmdline breaking iPXE', as('PATCH', '/api/v1/boot-profiles/contestant', { cmdline: 'x\nchain http://evil/' }), 400, INVALID, 'cmdline'),
  refused('profile kind change leaving a kernel', as('PATCH', '/api/v1/boot-profiles/contestant', { kind: 'local' }), 422, UNPROCESSABLE, 'kernel'),
  refused('profile for an unknown type', as('POST', '/api/v1/boot-profiles', { name: 'p1', kind: 'local', mtypes: ['toaster'] }), 422, UNPROCESSABLE, 'mtypes[0]'),
  refused('profile renamed', as('PATCH', '/api/v1/boot-profiles/contestant', { name: 'c2' }), 400, INVALID, 'name'),
  refused('profile created by a reader', as('POST', '/api/v1/boot-profiles', { name: 'p1', kind: 'local' }, 'reader'), 403, FORBIDDEN),
  refused('machine with an unknown profile', post({ ...NEW, boot_profile: 'nope' }), 422, UNPROCESSABLE, 'boot_profile', 'nope'),
  refused('deleting a type a profile names', as('DELETE', '/api/v1/machine-types/user'), 409, IN_USE, undefined, 'boot profile "contestant"'),
  refused('room pattern without seats per row', as('PATCH', '/api/v1/rooms/alt', { hostname_pattern: 'alt-r{row}p{seat}' }), 422, UNPROCESSABLE, 'seats_per_row'),
  refused('room pattern with bad characters', as('POST', '/api/v1/rooms', { name: 'r2', hostname_pattern: 'r2_{n}' }), 400, INVALID, 'hostname_pattern'),
  refused('expected hostname invalid', as('PUT', '/api/v1/rooms/alt/expected', { hostnames: ['ok', 'no way'] }), 422, UNPROCESSABLE, 'hostnames[1]'),
  refused('expected hostname repeated', as('PUT', '/api/v1/rooms/alt/expected', { hostnames: ['x1', 'X1'] }), 422, UNPROCESSABLE, 'hostnames[1]'),
  refused('expected hostname of a machine', as('PUT', '/api/v1/rooms/alt/expected', { hostnames: ['x1', 'alpha-alias'] }), 409, CONFLICT, 'hostnames[1]', '"alpha"'),
  refused('expected list of a missing room', as('PUT', '/api/v1/rooms/attic/expected', { hostnames: [] }), 404, NOT_FOUND, undefined, 'attic'),
  refused('registration while closed', as('POST', '/api/v1/registrations', { mac: NEW.mac, room: 'alt', mtype: 'user', hostname: 'newbie' }), 403, 'registration_closed'),
  refused('registration by a reader', as('POST', '/api/v1/registrations', { mac: NEW.mac, room: 'alt', mtype: 'user' }, 'reader'), 403, FORBIDDEN),
  refused('registration with an unknown field', as('POST', '/api/v1/registrations', { mac: NEW.mac, room: 'alt', mtype: 'user', ip: '1.2.3.4' }), 400, INVALID, 'ip'),
  refused('suggestion for an unknown room', get('/api/v1/registrations/suggestion?room=attic'), 422, UNPROCESSABLE, 'room'),
  refused('import with a bad row', as('POST', '/api/v1/machines/import', { rows: [NEW, { hostname: 'n2', mac: 'zz' }] }), 422, 'import_invalid', 'mac'),
  refused('import repeating a MAC', as('POST', '/api/v1/machines/import', { rows: [NEW, { hostname: 'n2', mac: NEW.mac }] }), 422, 'import_invalid', 'mac', 'row 2'),
  refused('import clashing with a machine', as('POST', '/api/v1/machines/import', { rows: [NEW, BETA] }), 422, 'import_invalid', 'hostname'),
  refused('import of 5001 rows', as('POST', '/api/v1/machines/import', { rows: Array(5001).fill(NEW) }), 400, INVALID, 'rows'),
  refused('import by a reader', as('POST', '/api/v1/machines/import', { rows: [NEW] }, 'reader'), 403, FORBIDDEN),
  // Queries
  refused('unknown query parameter', get('/api/v1/machines?colour=red'), 400, INVALID, 'colour'),
  refused('?limit= too large', get('/api/v1/machines?limit=5001'), 400, INVALID, 'limit'),
];

/** `?q=` values that must match nothing (LIKE wildcards and quotes are literal) yet work. */
export const HARMLESS_QUERIES = [
  SQL,
  '%',
  '_',
  '\\',
  "'",
  "%'%",
  '--',
  '; SELECT 1',
  'alpha%',
  'b_ta',
  // JSON punctuation: aliases are matched by name, not as the JSON text of their column.
  '[',
  ']',
  '"',
  '"]',
];
