import { parseCryptHash } from '@lanctl/auth';
import { issuesToFields, type Logger, type Registry } from '@lanctl/core';
import {
  loginSchema,
  passwordSchema,
  type User,
  type UserUpdate,
  userCreateSchema,
  userUpdateSchema,
} from '@lanctl/model';
import {
  type Hub,
  inSadmItem,
  type SadmItem,
  type SadmPollServer,
  sadmItemError,
  sadmPollRouter,
} from '@lanctl/sync';
import type { Passwords } from './passwords.ts';
import { toSadmUser } from './sadm.ts';
import type { NewUser, UserStore } from './store/users.ts';

export interface UdbPollOptions {
  hub: Hub;
  /** `sadm.sub_secret_file`'s content: SADM's udbsync subscribers. */
  subSecret: Buffer | null;
  /** `sadm.pub_secret_file`'s content: SADM tools publishing users to `/update`. */
  pubSecret: Buffer | null;
  passwords: Passwords;
  /** System accounts of this host: never created from `/update`. */
  reserved: Set<string>;
  logger: Logger;
  metrics: Registry;
  bodyLimit: number;
  keepAliveMs?: number;
}

/** What the change log (and so the hub) holds for a user. */
type LoggedUser = User & { password_hash: string };

/**
 * SADM's udbsync (`/poll`, `/update`, pk `login`) on udb's own hub. Subscribers get SADM's user
 * dict with `password_hash` where SADM streamed the clear `password`: lanctl never keeps one.
 * A clear password published to `/update` is hashed at once, then forgotten.
 */
export function udbPollRouter(users: UserStore, options: UdbPollOptions): SadmPollServer {
  return sadmPollRouter({
    hub: options.hub,
    tables: [
      {
        table: 'users',
        key: (u: LoggedUser) => u.login,
        toSadm: (u: LoggedUser) => ({ ...toSadmUser(u), password_hash: u.password_hash }),
      },
    ],
    subSecret: options.subSecret,
    pubSecret: options.pubSecret,
    onUpdate: (items) => applyUserItems(users, items, options),
    logger: options.logger,
    metrics: options.metrics,
    service: 'udb',
    bodyLimit: options.bodyLimit,
    keepAliveMs: options.keepAliveMs,
  });
}

interface Upsert {
  op: 'upsert';
  login: string;
  fields: UserUpdate;
  /** Clear, from SADM's `password`: only until it is hashed. */
  password?: string;
  passwordHash?: string;
}
type Plan = Upsert | { op: 'delete'; login: string };

type ApplyDeps = Pick<UdbPollOptions, 'passwords' | 'reserved' | 'logger'>;

/**
 * Every item is checked first (fields, and that a user it creates is complete and not a system
 * account); then passwords are hashed; then the items are applied, one store call each.
 */
export async function applyUserItems(
  users: UserStore,
  items: SadmItem[],
  deps: ApplyDeps,
): Promise<void> {
  const plans = items.map(planItem);
  const known = new Map<string, boolean>();
  for (const [i, plan] of plans.entries()) {
    const exists = known.get(plan.login) ?? (await users.find(plan.login)) !== undefined;
    if (plan.op === 'upsert' && !exists) creation(plan, i, deps.reserved);
    known.set(plan.login, plan.op === 'upsert');
  }
  for (const plan of plans) {
    if (plan.op !== 'upsert' || plan.password === undefined) continue;
    plan.passwordHash = deps.passwords.hash(plan.password);
    delete plan.password;
  }
  for (const [i, plan] of plans.entries()) {
    try {
      await applyPlan(users, plan, i, deps);
    } catch (e) {
      throw inSadmItem(i, e);
    }
  }
}

/** SADM's dict → the API's fields: `ssh_key` holds the keys one per line; `id` is ignored. */
function planItem(item: SadmItem, index: number): Plan {
  const login = loginSchema.safeParse(item.data.login);
  if (!login.success) fail(index, 'login', login.error.issues[0]?.message ?? 'invalid');
  if (item.type === 'delete') return { op: 'delete', login: login.data };
  const { login: _login, id: _id, password, password_hash, ssh_key, ...rest } = item.data;
  const input: Record<string, unknown> = rest;
  if (ssh_key === null || typeof ssh_key === 'string')
    input.ssh_keys = (ssh_key ?? '').split('\n').filter((k) => k.trim() !== '');
  else if (ssh_key !== undefined) fail(index, 'ssh_key', 'expected a string or null');
  const parsed = userUpdateSchema.safeParse(input);
  if (!parsed.success) throw sadmItemError(index, issuesToFields(parsed.error.issues));
  const plan: Upsert = { op: 'upsert', login: login.data, fields: parsed.data };
  if (password !== undefined && password !== null) {
    // The message never quotes the value: a clear password must not reach a log or a reply.
    if (!passwordSchema.safeParse(password).success)
      fail(index, 'password', 'expected 1 to 256 characters, no NUL or newline');
    plan.password = password as string;
  } else if (password_hash !== undefined && password_hash !== null) {
    if (typeof password_hash !== 'string' || parseCryptHash(password_hash) === null)
      fail(index, 'password_hash', 'expected a sha512-crypt ($6$) hash');
    plan.passwordHash = password_hash;
  }
  return plan;
}

/** The user an upsert of an unknown login creates, or a 422 saying what it lacks. */
function creation(plan: Upsert, index: number, reserved: Set<string>): NewUser {
  if (reserved.has(plan.login))
    fail(index, 'login', `"${plan.login}" is root or a system account of this host`);
  const parsed = userCreateSchema.safeParse({ ...plan.fields, login: plan.login });
  if (!parsed.success) throw sadmItemError(index, issuesToFields(parsed.error.issues));
  const { password: _none, ...user } = parsed.data;
  return { ...user, password_hash: plan.passwordHash ?? '' };
}

async function applyPlan(users: UserStore, plan: Plan, index: number, deps: ApplyDeps) {
  const exists = (await users.find(plan.login)) !== undefined;
  if (plan.op === 'delete') {
    if (exists) await users.remove(plan.login);
    // As SADM's server: a delete of an unknown key is logged, nothing else.
    else deps.logger.warn('sadm /update: delete of an unknown user', { login: plan.login });
    return;
  }
  if (exists) {
    const hash = plan.passwordHash === undefined ? {} : { password_hash: plan.passwordHash };
    await users.update(plan.login, { ...plan.fields, ...hash });
    return;
  }
  // Without a password, an unknown one: the account exists, nobody can log in until a reset.
  plan.passwordHash ??= deps.passwords.hash(deps.passwords.generate());
  await users.create(creation(plan, index, deps.reserved));
}

function fail(index: number, field: string, message: string): never {
  throw sadmItemError(index, [{ field, message }]);
}
