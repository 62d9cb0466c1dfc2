/**
 * The SADM RPC wire format (`prologin/rpc/server.py`), as a pure codec: request bodies in,
 * response bytes out. No sockets, no clock, no logger.
 */

/** A decoded `/call/<name>` request body: SADM merges the client's object over these defaults. */
export interface SadmCall {
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** SADM timeauth token over the method name, when the client has a secret. */
  hmac?: unknown;
  [extra: string]: unknown;
}

/** A decoded call, or why the body is not one (named after the Python exception SADM reports). */
export type DecodedCall =
  | { ok: true; call: SadmCall }
  | { ok: false; error: 'JSONDecodeError' | 'UnicodeDecodeError' | 'TypeError'; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a POST body. An empty (or all-whitespace) body is a call without arguments, as a GET
 * is; SADM would answer `JSONDecodeError` there, which only hurts `curl -X POST`.
 */
export function decodeCall(body: Uint8Array): DecodedCall {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return {
      ok: false,
      error: 'UnicodeDecodeError',
      message: "'utf-8' codec can't decode the request body",
    };
  }
  if (text.trim() === '') return { ok: true, call: { args: [], kwargs: {} } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: 'JSONDecodeError', message: (e as Error).message };
  }
  return callFromJson(parsed);
}

/** Checks an already parsed body (e.g. by an upstream JSON parser) the same way. */
export function callFromJson(parsed: unknown): DecodedCall {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: 'TypeError', message: 'the request body must be a JSON object' };
  }
  const call: SadmCall = { args: [], kwargs: {}, ...(parsed as Record<string, unknown>) };
  if (!Array.isArray(call.args)) {
    return { ok: false, error: 'TypeError', message: '"args" must be a JSON array' };
  }
  if (typeof call.kwargs !== 'object' || call.kwargs === null || Array.isArray(call.kwargs)) {
    return { ok: false, error: 'TypeError', message: '"kwargs" must be a JSON object' };
  }
  return { ok: true, call };
}

/** `{"type": "result", "data": ...}` + newline. Throws a TypeError if `data` is not JSON. */
export function encodeResult(data: unknown): Buffer {
  return Buffer.from(`${pythonJson({ type: 'result', data })}\n`, 'ascii');
}

/** `{"type": "exception", "exn_type", "exn_message", "exn_traceback": []}` + newline. */
export function encodeException(type: string, message: string): Buffer {
  const body = { type: 'exception', exn_type: type, exn_message: message, exn_traceback: [] };
  return Buffer.from(`${pythonJson(body)}\n`, 'ascii');
}

/**
 * JSON exactly as Python's `json.dumps` writes it with its defaults, which is what SADM sends:
 * `", "` and `": "` separators, keys in insertion order, and every character outside printable
 * ASCII escaped as `\uXXXX` (lower-case hex, UTF-16 surrogate pairs). Undefined members are
 * skipped as `JSON.stringify` does; a cycle, BigInt, function or non-finite number throws.
 */
export function pythonJson(value: unknown): string {
  return encodeValue(value, new Set());
}

function encodeValue(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} is not JSON serializable`);
      return JSON.stringify(value);
    case 'string':
      return pythonString(value);
    case 'object':
      break;
    default:
      throw new TypeError(`a ${typeof value} is not JSON serializable`);
  }
  const object = value as object & { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return encodeValue(object.toJSON(), seen);
  if (seen.has(object)) throw new TypeError('circular reference');
  seen.add(object);
  let out: string;
  if (Array.isArray(object)) {
    out = `[${object.map((v) => encodeValue(v === undefined ? null : v, seen)).join(', ')}]`;
  } else {
    const members = Object.entries(object)
      .filter(([, v]) => v !== undefined && typeof v !== 'function')
      .map(([k, v]) => `${pythonString(k)}: ${encodeValue(v, seen)}`);
    out = `{${members.join(', ')}}`;
  }
  seen.delete(object);
  return out;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** Python's `ensure_ascii` string encoder: `[^ -~]` and `"`/`\` are escaped. */
function pythonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const code = s.charCodeAt(i);
    if (SHORT_ESCAPES[c] !== undefined) out += SHORT_ESCAPES[c];
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

/** Python's `repr()` of a str, for messages such as `'x' is not a valid query argument`. */
export function pythonRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}
