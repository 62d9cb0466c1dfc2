import type { Principal } from '@lanctl/auth';
import type { Group } from '@lanctl/model';

/**
 * Who may manage which accounts: roots every account; organizers (and orga service tokens)
 * contestants and organizers, never roots; contestants only act on themselves.
 */
export function canManage(principal: Principal, group: Group): boolean {
  if (!principal.scopes.includes('users:write')) return false;
  if (principal.role === 'root') return true;
  return principal.role === 'orga' && group !== 'root';
}

export const canReadUsers = (principal: Principal) => principal.scopes.includes('users:read');

export const isSelf = (principal: Principal, login: string) =>
  principal.kind === 'user' && principal.subject === login;
