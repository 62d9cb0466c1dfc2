import type { Principal } from './tokens.ts';

/** A workstation token for any machine (SADM's one shared presencesync secret). */
export const PRESENCE_WRITE_SCOPE = 'presence:write';

const HOST_PREFIX = 'presence:host:';

/**
 * A workstation token bound to one machine (`lanctl token create --host H`): it logs users in
 * and out and heartbeats on H only, so a leaked token cannot claim sessions elsewhere.
 */
export const presenceHostScope = (hostname: string): string => `${HOST_PREFIX}${hostname}`;

/** Whether the token carries any presence-writing scope (checked before the body is read). */
export const isWorkstation = (principal: Principal): boolean =>
  principal.scopes.some((s) => s === PRESENCE_WRITE_SCOPE || s.startsWith(HOST_PREFIX));

/** Whether the token may act for sessions on `hostname`. */
export const mayActForHost = (principal: Principal, hostname: string): boolean =>
  principal.scopes.includes(PRESENCE_WRITE_SCOPE) ||
  principal.scopes.includes(presenceHostScope(hostname));
