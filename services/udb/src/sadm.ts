import { checkTimeauthToken } from '@lanctl/auth';
import type { Logger, Registry } from '@lanctl/core';
import { collectAll, type User } from '@lanctl/model';
import {
  applyFilters,
  bindArguments,
  type FilterFields,
  type SadmAuthResult,
  type SadmMethod,
  sadmRpcRouter,
} from '@lanctl/sadm';
import type { Router } from 'express';
import type { UserStore } from './store/users.ts';

/** SADM's `User.to_dict()` without the password; `ssh_key` is every key, one per line. */
export interface SadmUser {
  login: string;
  firstname: string;
  lastname: string;
  uid: number;
  group: string;
  shell: string;
  ssh_key: string | null;
  /** SADM's database id; lanctl's ids are internal, so the uid (also unique) stands in. */
  id: number;
}

export const USER_FILTER_FIELDS: FilterFields = {
  login: 'text',
  firstname: 'text',
  lastname: 'text',
  uid: 'int',
  group: 'text',
  shell: 'text',
  ssh_key: 'text',
  id: 'int',
};

export const toSadmUser = (u: User): SadmUser => ({
  login: u.login,
  firstname: u.firstname,
  lastname: u.lastname,
  uid: u.uid,
  group: u.group,
  shell: u.shell,
  ssh_key: u.ssh_keys.length ? u.ssh_keys.join('\n') : null,
  id: u.uid,
});

export interface UdbSadmOptions {
  /** `sadm.shared_secret_file`'s content; null disables `query_private`. */
  sharedSecret: Buffer | null;
  metrics: Registry;
  logger: Logger;
  bodyLimit: number;
}

/**
 * SADM's udb RPC (`prologin/udb/views.py`): public `query` (no password), and `query_private`
 * signed with SADM's timeauth over the method name, which returns `password_hash` where SADM
 * returned the clear password: lanctl never has it. SADM consumers that hashed the clear
 * password (its passwd writer, its Django sync) are replaced by lanctl's own writers.
 */
export function udbSadmRouter(users: UserStore, options: UdbSadmOptions): Router {
  const all = async () =>
    (await collectAll((after) => users.list({ limit: 5000, after }))).sort((a, b) =>
      a.login < b.login ? -1 : a.login > b.login ? 1 : 0,
    );
  const methods: Record<string, SadmMethod> = {
    query: {
      async handler(args, kwargs) {
        const { extra } = bindArguments('query', [], args, kwargs, { extraKwargs: true });
        return applyFilters((await all()).map(toSadmUser), extra, USER_FILTER_FIELDS);
      },
    },
    query_private: {
      auth: (_req, call) => timeauth(options.sharedSecret, call.hmac, 'query_private'),
      async handler(args, kwargs) {
        const { extra } = bindArguments('query_private', [], args, kwargs, { extraKwargs: true });
        const hashOf = await users.hashes();
        return applyFilters((await all()).map(toSadmUser), extra, USER_FILTER_FIELDS).map((u) => ({
          ...u,
          password_hash: hashOf.get(u.login) ?? null,
        }));
      },
    },
  };
  return sadmRpcRouter(methods, {
    service: 'udb',
    metrics: options.metrics,
    logger: options.logger,
    bodyLimit: options.bodyLimit,
  });
}

/** SADM's RPC check: the token signs the method name; no secret configured refuses everyone. */
function timeauth(secret: Buffer | null, token: unknown, method: string): SadmAuthResult {
  if (token === undefined || token === null || token === '') return 'missing';
  if (!secret) return 'bad';
  return checkTimeauthToken(secret, token, method).ok ? 'ok' : 'bad';
}
