import { principalOf, requireScope } from '@lanctl/auth';
import { forbidden, unauthorized } from '@lanctl/core';
import { REGISTER_SCOPE } from '@lanctl/model';
import type { RequestHandler } from 'express';

/**
 * Who may read and who may write: writes are for roots, reads for any token (or anyone, if
 * configured); registering a machine for a token with `machines:register` (the netboot
 * service's) or a root.
 */
export interface Access {
  read: RequestHandler;
  write: RequestHandler;
  register: RequestHandler;
}

export function createAccess(publicRead: boolean): Access {
  const open: RequestHandler = (_req, _res, next) => next();
  const write = requireScope('write', ['root']);
  return {
    read: publicRead ? open : requireScope('read'),
    write,
    register: (req, res, next) => {
      const principal = principalOf(res);
      if (!principal) throw unauthorized();
      if (principal.scopes.includes(REGISTER_SCOPE)) return next();
      if (principal.role === 'root') return write(req, res, next);
      throw forbidden(`registering a machine needs the ${REGISTER_SCOPE} scope or the root role`);
    },
  };
}
