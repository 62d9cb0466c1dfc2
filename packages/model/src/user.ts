import { z } from 'zod';
import { paginationSchema } from './machine.ts';

/** udb groups, in SADM's order of privilege. */
export const GROUPS = ['user', 'orga', 'root'] as const;
export const groupSchema = z.enum(GROUPS);
export type Group = z.output<typeof groupSchema>;

/** SADM's login rule: a lower-case letter or `_`, then up to 30 letters, digits or `_`. */
export const LOGIN_PATTERN = /^[a-z_][a-z0-9_]{0,30}$/;
export const LOGIN_MESSAGE = 'expected a login: a-z or _ first, then up to 30 of a-z, 0-9, _';
export const loginSchema = z.string().regex(LOGIN_PATTERN, LOGIN_MESSAGE);

/** No control characters, no `:` (it separates passwd fields), bounded. */
const nameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'at most 64 characters')
  .refine((v) => !/[\p{Cc}:]/u.test(v), 'must not contain control characters or ":"')
  .refine((v) => v.trim() === v, 'must not start or end with spaces');

export const shellSchema = z
  .string()
  .regex(/^\/[A-Za-z0-9._/+-]{1,63}$/, 'expected an absolute path such as /bin/bash');

/** One OpenSSH public key line: type, base64 blob, optional comment. */
export const sshKeySchema = z
  .string()
  .max(16384)
  .regex(
    /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/,
    'expected one OpenSSH public key line, e.g. "ssh-ed25519 AAAA... comment"',
  );

/** Passwords are bytes to crypt(3): any printable text, but never a NUL or a newline. */
export const passwordSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'at most 256 characters')
  .refine((v) => !/[\0\r\n]/.test(v), 'must not contain NUL or newline characters');

export const uidSchema = z.number().int('expected an integer').min(1000).max(59999);

/** A user as the API returns it: never a password, never its hash. */
export interface User {
  login: string;
  firstname: string;
  lastname: string;
  uid: number;
  group: Group;
  shell: string;
  ssh_keys: string[];
  created_at: string;
  updated_at: string;
}

export const userCreateSchema = z
  .object({
    login: loginSchema,
    firstname: nameSchema,
    lastname: nameSchema,
    group: groupSchema.default('user'),
    uid: uidSchema.nullable().default(null),
    shell: shellSchema.default('/bin/bash'),
    ssh_keys: z.array(sshKeySchema).max(32).default([]),
    /** Omitted: a password is generated and returned once in the response. */
    password: passwordSchema.optional(),
  })
  .strict();
export type UserCreate = z.output<typeof userCreateSchema>;

export const userUpdateSchema = z
  .object({
    firstname: nameSchema,
    lastname: nameSchema,
    group: groupSchema,
    uid: uidSchema,
    shell: shellSchema,
    ssh_keys: z.array(sshKeySchema).max(32),
  })
  .partial()
  .strict();
export type UserUpdate = z.output<typeof userUpdateSchema>;

/**
 * `POST /users/:login/password`: `{}` resets to a generated password (shown once); `password`
 * sets one. A contestant changing their own must give `current_password`.
 */
export const passwordChangeSchema = z
  .object({ password: passwordSchema.optional(), current_password: z.string().max(256).optional() })
  .strict();
export type PasswordChange = z.output<typeof passwordChangeSchema>;

export const loginRequestSchema = z
  .object({ login: z.string().min(1).max(64), password: z.string().min(1).max(256) })
  .strict();

export const userListQuerySchema = z
  .object({ ...paginationSchema, group: groupSchema.optional(), q: z.string().max(100).optional() })
  .strict();
export type UserListQuery = z.output<typeof userListQuerySchema>;

/** One row of a password sheet: what an organizer prints and cuts out, right after it is made. */
export interface SheetEntry {
  login: string;
  firstname: string;
  lastname: string;
  password: string;
}

export const sheetRequestSchema = z
  .object({
    entries: z
      .array(
        z
          .object({
            login: loginSchema,
            firstname: z.string(),
            lastname: z.string(),
            password: z.string(),
          })
          .strict(),
      )
      .max(5000),
    format: z.enum(['html', 'tsv']).default('html'),
    title: z.string().max(200).default('lanctl accounts'),
  })
  .strict();

export const IMPORT_MODES = ['create', 'update', 'ignore'] as const;

export const importRequestSchema = z
  .object({
    format: z.enum(['csv', 'tsv', 'json']),
    /** The file's text. */
    data: z.string().max(8 * 1024 * 1024),
    group: groupSchema.default('user'),
    /** create: an existing login is an error row; update: change it; ignore: skip it. */
    mode: z.enum(IMPORT_MODES).default('create'),
    dry_run: z.boolean().default(false),
    password_length: z.number().int().min(6).max(64).default(8),
    /** With `update`, also give existing users a new generated password (when the file has none). */
    reset_passwords: z.boolean().default(false),
  })
  .strict();
export type ImportRequest = z.output<typeof importRequestSchema>;

export type ImportStatus =
  | 'created'
  | 'updated'
  | 'skipped'
  | 'error'
  | 'would_create'
  | 'would_update';

export interface ImportResult {
  row: number;
  login: string | null;
  status: ImportStatus;
  reason?: string;
  /** Only for rows that got a new password, only in this response. */
  password?: string;
  /** The row's names as stored (title-cased); absent on rows the file could not give them. */
  firstname?: string;
  lastname?: string;
}
