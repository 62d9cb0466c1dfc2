import { type Principal, principalOf } from '@lanctl/auth';
import { forbidden, notFound, parseInput, unauthorized, unprocessable } from '@lanctl/core';
import {
  type Group,
  passwordChangeSchema,
  userCreateSchema,
  userListQuerySchema,
  userUpdateSchema,
} from '@lanctl/model';
import { type Response, Router } from 'express';
import type { Passwords } from '../passwords.ts';
import { canManage, canReadUsers, isSelf } from '../policy.ts';
import type { UserStore } from '../store/users.ts';

export interface UserRouteDeps {
  users: UserStore;
  passwords: Passwords;
  reserved: Set<string>;
}

const who = (res: Response): Principal => {
  const principal = principalOf(res);
  if (!principal) throw unauthorized();
  return principal;
};

function requireManage(principal: Principal, group: Group, action: string): void {
  if (!canManage(principal, group)) {
    throw forbidden(
      `role ${principal.role} may not ${action} ${group === 'root' ? 'a root account' : 'accounts'}`,
    );
  }
}

/** `/users`: list and read (managers, or oneself), create, edit, delete, set or reset a password. */
export function userRoutes({ users, passwords, reserved }: UserRouteDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const principal = who(res);
    if (!canReadUsers(principal))
      throw forbidden(`role ${principal.role} may only read its own record`);
    res.json(await users.list(parseInput(userListQuerySchema, req.query, 'query')));
  });
  router.post('/', async (req, res) => {
    const principal = who(res);
    if (!principal.scopes.includes('users:write'))
      throw forbidden(`role ${principal.role} may not create accounts`);
    const input = parseInput(userCreateSchema, req.body);
    requireManage(principal, input.group, 'create');
    if (reserved.has(input.login)) {
      throw unprocessable('login', `"${input.login}" is root or a system account of this host`);
    }
    const password = input.password ?? passwords.generate();
    const { password: _given, ...fields } = input;
    const user = await users.create({ ...fields, password_hash: passwords.hash(password) });
    // A generated password is shown here, once; it is not kept anywhere.
    res
      .status(201)
      .location(`/api/v1/users/${user.login}`)
      .json(input.password ? user : { ...user, password });
  });
  router.get('/:login', async (req, res) => {
    const principal = who(res);
    const login = req.params.login as string;
    if (!canReadUsers(principal) && !isSelf(principal, login)) {
      throw forbidden(`role ${principal.role} may only read its own record`);
    }
    res.json(await users.get(login));
  });
  router.patch('/:login', async (req, res) => {
    const principal = who(res);
    const patch = parseInput(userUpdateSchema, req.body);
    const current = await users.get(req.params.login as string);
    requireManage(principal, current.group, 'edit');
    if (patch.group) requireManage(principal, patch.group, 'make');
    res.json(await users.update(current.login, patch));
  });
  router.delete('/:login', async (req, res) => {
    const principal = who(res);
    const current = await users.get(req.params.login as string);
    requireManage(principal, current.group, 'delete');
    res.json(await users.remove(current.login));
  });
  router.post('/:login/password', async (req, res) => {
    const principal = who(res);
    const body = parseInput(passwordChangeSchema, req.body ?? {});
    const row = await users.find(req.params.login as string);
    if (!row) {
      if (canReadUsers(principal)) throw notFound(`user "${req.params.login}"`);
      throw forbidden('you may only change your own password');
    }
    if (isSelf(principal, row.login) && !canManage(principal, row.grp as Group)) {
      if (!body.current_password || !passwords.verify(body.current_password, row.password_hash)) {
        throw forbidden('current_password is missing or wrong');
      }
      // Changing one's own password means choosing it; a surprise random one would lock one out.
      if (!body.password) throw unprocessable('password', 'give the new password');
    } else {
      requireManage(principal, row.grp as Group, 'reset the password of');
    }
    const password = body.password ?? passwords.generate();
    await users.update(row.login, { password_hash: passwords.hash(password) });
    res.json(body.password ? { login: row.login } : { login: row.login, password });
  });
  return router;
}
