import { hostnameSchema, macSchema, nameSchema, serverNumberSchema } from '@lanctl/model';
import { z } from 'zod';

/**
 * iPXE's `${x:uristring}` percent-encodes but leaves `+` as is, so a query is decoded with
 * decodeURIComponent only (form decoding would turn a typed `+` into a space). A name given twice,
 * or an undecodable value, is an error rather than a guess.
 */
export function parseQuery(url: string): Record<string, string> | string {
  const at = url.indexOf('?');
  // No prototype: `__proto__=x` is a parameter like any other (then refused as unknown).
  const out: Record<string, string> = Object.create(null);
  if (at < 0) return out;
  for (const part of url.slice(at + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue);
    } catch {
      return `${rawKey.slice(0, 40)}: not valid percent-encoding`;
    }
    if (Object.hasOwn(out, key)) return `${key.slice(0, 40)}: given twice`;
    out[key] = value;
  }
  return out;
}

/** A number typed at the machine ("0", " 1 "). */
const typedNumber = z
  .string()
  .trim()
  .regex(/^\d{1,3}$/, 'expected a number from 0 to 999')
  .transform(Number)
  .pipe(serverNumberSchema);

export const menuQuerySchema = z.object({ mac: macSchema }).strict();

export const viaSchema = z.enum(['planned', 'lldp', 'manual']);

export const formQuerySchema = z
  .object({
    mac: macSchema,
    via: viaSchema.default('manual'),
    room: nameSchema.optional(),
    rfs: typedNumber.optional(),
    hfs: typedNumber.optional(),
    chassis: z.string().max(64).optional(),
    keep: z.enum(['0', '1']).optional(),
  })
  .strict();

export const registerQuerySchema = z
  .object({
    mac: macSchema,
    hostname: z.string().trim().pipe(hostnameSchema),
    room: nameSchema,
    mtype: z.string().trim().pipe(nameSchema),
    rfs: typedNumber,
    hfs: typedNumber,
    via: viaSchema.default('manual'),
  })
  .strict();

/** The first problem of a failed parse, as `field: message` for the machine's screen. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const field =
    issue.path.join('.') ||
    (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'request');
  const message = issue.code === 'unrecognized_keys' ? 'unknown parameter' : issue.message;
  return `${field}: ${message}`;
}
