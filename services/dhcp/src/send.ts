import type { Socket } from 'node:dgram';
import type { Logger } from '@lanctl/core';
import type { DhcpSubnet } from '@lanctl/dhcp-wire';
import type { DhcpConfig } from './config.ts';
import type { DhcpMetrics } from './metrics.ts';
import { type Destination, directedBroadcast } from './reply.ts';

export type Send = (bytes: Buffer, to: Destination, subnet: DhcpSubnet | null) => Promise<void>;

/**
 * Sends replies on the DHCP socket. Broadcasts go to 255.255.255.255, unless `broadcast` says
 * `directed` or (`auto`) the host has no route for it (ENETUNREACH, as in a fresh network
 * namespace): then, logged once and counted, to the subnet's directed broadcast address.
 */
export function createSender(
  config: DhcpConfig,
  socket: () => Socket | null,
  deps: { logger: Logger; metrics: DhcpMetrics },
): Send {
  let directed = config.broadcast === 'directed';
  const sendTo = (bytes: Buffer, address: string, port: number) =>
    new Promise<void>((resolve, reject) => {
      const s = socket();
      if (!s) return reject(new Error('socket closed'));
      s.send(bytes, port, address, (err) => (err ? reject(err) : resolve()));
    });
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
  return async (bytes, to, subnet) => {
    const target = to.broadcast && directed && subnet ? directedBroadcast(subnet) : to.address;
    try {
      await sendTo(bytes, target, to.port);
    } catch (e) {
      const unreachable = (e as NodeJS.ErrnoException).code === 'ENETUNREACH';
      if (!(unreachable && to.broadcast && !directed && config.broadcast === 'auto' && subnet)) {
        return failed(e as Error, target);
      }
      fallBack(subnet);
      const retry = directedBroadcast(subnet);
      await sendTo(bytes, retry, to.port).catch((err: Error) => failed(err, retry));
    }
  };
}
