import type { Group, User } from '@lanctl/model';
import type { UserRow } from '../schema.ts';

export const toUser = (r: UserRow): User => ({
  login: r.login,
  firstname: r.firstname,
  lastname: r.lastname,
  uid: Number(r.uid),
  group: r.grp as Group,
  shell: r.shell,
  ssh_keys: JSON.parse(r.ssh_keys),
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/**
 * What the change log (and so the sync stream) records: the user plus the password hash, which
 * only subscribers granted that scope will see. Never a clear password.
 */
export const toLoggedUser = (r: UserRow) => ({ ...toUser(r), password_hash: r.password_hash });
