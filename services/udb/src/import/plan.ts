import {
  type Group,
  type IMPORT_MODES,
  LOGIN_MESSAGE,
  LOGIN_PATTERN,
  passwordSchema,
  userCreateSchema,
} from '@lanctl/model';
import { deriveLogin, loginCandidates, titleCase } from './login.ts';
import type { ParsedRow } from './parse.ts';

export type ImportMode = (typeof IMPORT_MODES)[number];

/** What the planner needs to know of a user already in the database. */
export interface ExistingUser {
  group: Group;
  /**
   * With both names, a row without a login whose derived login (or `login1`, `login2`…) belongs
   * to a user with the same names (case-insensitive) is that user: re-importing a names-only file
   * then updates/skips/reports them instead of creating `jdupont1`. Without names, every derived
   * login lands on a free one.
   */
  firstname?: string;
  lastname?: string;
}

export interface PlanOptions {
  mode: ImportMode;
  /** The group of rows that do not name one. */
  group: Group;
  /** Logins no import may take (system accounts…); `root` is always refused. */
  isReserved(login: string): boolean;
  /** Whether the caller may create/update users of this group (an organizer: not `root`). */
  canManage(group: Group): boolean;
}

export type PlanAction = 'create' | 'update' | 'skip' | 'error';

export interface PlannedRow {
  row: number;
  /** `null` when no login could be settled (an error row). */
  login: string | null;
  action: PlanAction;
  reason?: string;
  /** Title-cased. */
  firstname: string;
  lastname: string;
  group: Group;
  /** The file's password, on create/update rows only; otherwise the caller generates one. */
  password?: string;
}

/** A derived login gives up after this many candidates (jdupont … jdupont9999). */
const MAX_DERIVED_CANDIDATES = 10_000;

interface Run {
  existing: ReadonlyMap<string, ExistingUser>;
  options: PlanOptions;
  /** Valid explicit logins → the index of the first row that names them. */
  explicit: Map<string, number>;
  /** Logins given to earlier rows of this run. */
  used: Set<string>;
}

const reserved = (run: Run, login: string) => login === 'root' || run.options.isReserved(login);
const fold = (name: string | undefined) => (name ?? '').toLowerCase();

/**
 * Decides what to do with each parsed row, in order, without touching anything: logins derived
 * for rows that have none (never one in `existing`, in the file or reserved, except the same
 * person's, see `ExistingUser`), reserved, invalid and repeated logins refused, groups the caller
 * may not manage refused, then `mode` for logins that exist. Never throws; one answer per row.
 */
export function planImport(
  rows: readonly ParsedRow[],
  existing: ReadonlyMap<string, ExistingUser>,
  options: PlanOptions,
): PlannedRow[] {
  const run: Run = { existing, options, explicit: new Map(), used: new Set() };
  rows.forEach((row, i) => {
    if (row.login !== undefined && LOGIN_PATTERN.test(row.login) && !run.explicit.has(row.login)) {
      run.explicit.set(row.login, i);
    }
  });
  return rows.map((row, i) => {
    const base: PlannedRow = {
      row: row.row,
      login: row.login ?? null,
      action: 'error',
      firstname: titleCase(row.firstname),
      lastname: titleCase(row.lastname),
      group: row.group ?? options.group,
    };
    try {
      return { ...base, ...planRow(run, row, i, base) };
    } catch (error) {
      return { ...base, action: 'error', reason: `internal error: ${String(error)}` };
    }
  });
}

type Decision = Partial<PlannedRow> & Pick<PlannedRow, 'action'>;

const fail = (reason: string, login?: string | null): Decision =>
  login === undefined ? { action: 'error', reason } : { action: 'error', reason, login };

function planRow(run: Run, row: ParsedRow, index: number, base: PlannedRow): Decision {
  if (!run.options.canManage(base.group)) {
    return fail(`not allowed to manage ${base.group} accounts`);
  }
  const invalid = checkFields(base, row.password);
  if (invalid) return fail(invalid);
  const login =
    row.login === undefined ? deriveFor(run, base) : checkExplicit(run, row.login, index);
  if (typeof login !== 'string') return login;
  run.used.add(login);
  return decideExisting(run, login, row.password);
}

/** The title-cased names and the file's password, against the API's own schemas. */
function checkFields(base: PlannedRow, password: string | undefined): string | null {
  const { firstname, lastname } = userCreateSchema.shape;
  for (const [label, schema, value] of [
    ['first name', firstname, base.firstname],
    ['last name', lastname, base.lastname],
    ['password', passwordSchema, password],
  ] as const) {
    if (value === undefined) continue;
    const parsed = schema.safeParse(value);
    if (!parsed.success) return `${label}: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
  }
  return null;
}

function checkExplicit(run: Run, login: string, index: number): string | Decision {
  if (!LOGIN_PATTERN.test(login)) {
    return fail(`invalid login ${JSON.stringify(login)}: ${LOGIN_MESSAGE}`);
  }
  if (reserved(run, login)) return fail(`login ${login} is reserved`);
  const first = run.explicit.get(login);
  if (first !== undefined && first !== index) {
    return fail(`login ${login} appears more than once in the file; only its first row is used`);
  }
  return login;
}

function samePerson(user: ExistingUser, row: PlannedRow): boolean {
  if (user.firstname === undefined || user.lastname === undefined) return false;
  return fold(user.firstname) === fold(row.firstname) && fold(user.lastname) === fold(row.lastname);
}

/** The first candidate that is free, or the same person's existing account. */
function deriveFor(run: Run, row: PlannedRow): string | Decision {
  const base = deriveLogin(row.firstname, row.lastname);
  if (base === null) {
    return fail('cannot derive a login from these names (no usable letters); give a login', null);
  }
  let tried = 0;
  for (const candidate of loginCandidates(base)) {
    if (++tried > MAX_DERIVED_CANDIDATES) break;
    if (run.used.has(candidate) || run.explicit.has(candidate) || reserved(run, candidate)) {
      continue;
    }
    const user = run.existing.get(candidate);
    if (!user || samePerson(user, row)) return candidate;
  }
  return fail(`no free login left from ${base}; give a login`, null);
}

function decideExisting(run: Run, login: string, password: string | undefined): Decision {
  const withPassword = password === undefined ? {} : { password };
  const user = run.existing.get(login);
  if (!user) return { action: 'create', login, ...withPassword };
  switch (run.options.mode) {
    case 'create':
      return fail(`${login} already exists (use update or ignore)`, login);
    case 'ignore':
      return { action: 'skip', login, reason: `${login} already exists` };
    case 'update':
      if (!run.options.canManage(user.group)) {
        return fail(`${login} is a ${user.group} account; not allowed to manage it`, login);
      }
      return { action: 'update', login, ...withPassword };
  }
}
