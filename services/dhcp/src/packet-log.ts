import type { Logger } from '@lanctl/core';
import type { ClientInfo } from '@lanctl/dhcp-wire';
import type { Decision } from './policy.ts';

/** Info lines per kind and minute (NAKs, ignores, drops, overload); the counters count them all. */
export const LOGS_PER_MINUTE = 20;
/** MACs remembered for "first contact" lines; past this the memory starts over. */
const SEEN_MACS_MAX = 100_000;
const MINUTE_MS = 60_000;

/** At most `perMinute` per key and minute. */
export function rateLimiter(now: () => number, perMinute = LOGS_PER_MINUTE) {
  const windows = new Map<string, { start: number; count: number }>();
  return (key: string): boolean => {
    const t = now();
    let w = windows.get(key);
    if (!w || t - w.start >= MINUTE_MS) {
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    return w.count++ < perMinute;
  };
}

/**
 * Per-packet lines at debug. At info, what an operator acts on: an unknown MAC's first contact,
 * NAKs, DECLINEs and ignores (rate-limited per reason); the counters have the rest.
 */
export function createPacketLog(logger: Logger, now: () => number) {
  const allowed = rateLimiter(now);
  const seen = new Set<string>();
  return (c: ClientInfo, d: Decision): void => {
    const debug = logger.isDebugEnabled();
    const firstContact =
      d.kind === 'reply' && d.machine === null && c.mac !== null && !seen.has(c.mac);
    if (firstContact) {
      if (seen.size >= SEEN_MACS_MAX) seen.clear();
      seen.add(c.mac!);
    }
    const level = infoWorthy(c, d, firstContact, allowed) ? 'info' : debug ? 'debug' : null;
    if (level === null) return;
    const base = { mac: c.mac, xid: c.xid, type: c.type, kind: c.kind, relay: c.giaddr };
    if (d.kind === 'reply') {
      const reply = { address: d.yiaddr, host: d.machine?.hostname ?? null, file: d.boot.filename };
      const message = firstContact ? 'dhcp new unknown client' : `dhcp ${c.type} → ${d.type}`;
      logger.log(level, message, { ...base, ...reply });
    } else if (d.kind === 'nak') {
      logger.log(level, `dhcp ${c.type} → NAK`, { ...base, reason: d.reason });
    } else if (d.kind === 'noreply') {
      logger.log(level, `dhcp ${c.type}`, { ...base, note: d.note });
    } else {
      logger.log(level, `dhcp ${c.type} ignored`, { ...base, reason: d.reason });
    }
  };
}

function infoWorthy(
  c: ClientInfo,
  d: Decision,
  firstContact: boolean,
  allowed: (key: string) => boolean,
): boolean {
  if (d.kind === 'reply') return firstContact && allowed('first-contact');
  if (d.kind === 'nak') return allowed('nak');
  if (d.kind === 'ignore') return allowed(`ignore:${d.reason}`);
  return c.type === 'DECLINE' && allowed('decline');
}
