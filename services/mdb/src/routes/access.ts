import { requireScope } from '@lanctl/auth';
import type { RequestHandler } from 'express';

/** Who may read and who may write: writes are for roots, reads for any token (or anyone, if configured). */
export interface Access {
  read: RequestHandler;
  write: RequestHandler;
}

export function createAccess(publicRead: boolean): Access {
  const open: RequestHandler = (_req, _res, next) => next();
  return {
    read: publicRead ? open : requireScope('read'),
    write: requireScope('write', ['root']),
  };
}
