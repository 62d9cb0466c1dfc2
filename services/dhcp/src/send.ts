import type { Socket } from 'node:dgram';
import type { Logger } from '@lanctl/core';
import type { DhcpSubnet } from '@lanctl/dhcp-wire';
import type { DhcpConfig } from './config.ts';
import type { DhcpMetrics } from './metrics.ts';
import { type Destination, directedBroadcast } from './reply.ts';

/** Sends one reply; `done` (if given) runs once it is sent or its failure counted. */
export type Send = (
  bytes: Buffer,
  to: Destination,
  subnet: DhcpSubnet | null,
  done?: () => void,
) => void;

export function createSender(
  config: DhcpConfig,
  socket: () => Socket | null,
  deps: { logger: Logger; metrics: DhcpMetrics },
): Send {
  let directed = config.broadcast === 'directed';
  const sendTo = (bytes: Buffer, address: string, port: number, cb: (e: Error | null) => void) => {
    const s = socket();
    if (!s) return cb(new Error('socket closed'));
    try {
      s.send(bytes, port, address, cb);
    } catch (e) {
      cb(e as Error);
    }
  };
  const failed = (e: Error, target: string) => {
    deps.metrics.dropped.inc({ reason: 'send-failed' });
    deps.logger.error('dhcp reply not sent', { to: target, error: e.message });
  };
  const fallBack = (subnet: DhcpSubnet) => {
    directed = true;
    deps.metrics.broadcastFallback.inc();
    deps.logger.warn(
      'no route for 255.255.255.255 (ENETUNREACH): broadcast replies go to the directed broadcast address of their subnet from now on; add `ip route add 255.255.255.255 dev <interface>` or set `broadcast: directed` to silence this',
      { fallback: directedBroadcast(subnet) },
    );
  };
  return (bytes, to, subnet, done) => {
    const target = to.broadcast && directed && subnet ? directedBroadcast(subnet) : to.address;
    sendTo(bytes, target, to.port, (e) => {
      if (!e) return done?.();
      const unreachable = (e as NodeJS.ErrnoException).code === 'ENETUNREACH';
      if (!(unreachable && to.broadcast && !directed && config.broadcast === 'auto' && subnet)) {
        failed(e, target);
        return done?.();
      }
      fallBack(subnet);
      const retry = directedBroadcast(subnet);
      sendTo(bytes, retry, to.port, (err) => {
        if (err) failed(err, retry);
        done?.();
      });
    });
  };
}
