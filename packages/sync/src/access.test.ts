import type { Principal } from '@lanctl/auth';
import { describe, expect, it } from 'vitest';
import { HASHES_SCOPE, STREAM_ACCESS, streamAccess } from './access.ts';

const principal = (scopes: string[]): Principal => ({
  subject: 's',
  role: 'reader',
  scopes,
  kind: 'service',
  tokenId: 'j',
});

describe('STREAM_ACCESS (owners and relays alike)', () => {
  it('needs read for machines and switches, users:read for users', () => {
    expect(streamAccess('machines')?.scope).toBe('read');
    expect(streamAccess('switches')?.scope).toBe('read');
    expect(streamAccess('users')?.scope).toBe('users:read');
    expect(streamAccess('constructor')).toBeUndefined();
    expect(streamAccess('nope')).toBeUndefined();
  });

  it('strips password hashes unless the subscriber holds users:hashes', () => {
    const user = { login: 'kid', password_hash: '$6$salt$hash' };
    const { redact } = STREAM_ACCESS.users;
    expect(redact(user, principal(['users:read']))).toEqual({ login: 'kid' });
    expect(redact(user, principal(['users:read', HASHES_SCOPE]))).toEqual(user);
    expect(user.password_hash).toBe('$6$salt$hash'); // the shared record is not mutated
  });
});
