import { listenSchema } from '@lanctl/core';
import { dnsPlanSchema } from '@lanctl/dns-wire';
import { z } from 'zod';

/** /healthz and /metrics: SADM's mdbdns port. */
export const DEFAULT_DNS_HTTP_PORT = 20030;

/** /etc/lanctl/dns.yml. */
export const dnsConfigSchema = z
  .object({
    /** Where queries are answered, UDP and TCP on the same address and port (0: any free port). */
    listen: z
      .object({
        host: z.string().min(1).default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(53),
      })
      .strict()
      .prefault({}),
    /** Zone, SOA, views, allowed clients and upstream resolvers (shared with the BIND generator). */
    plan: dnsPlanSchema.prefault({}),
    /** Origin of mdb's sync port (or a relay): streams `machines` and `pools`. */
    upstream: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:20010'),
    /** A token with the `read` scope, re-read at every connection. */
    token_file: z.string().min(1).default('/etc/lanctl/dns.token'),
    /** machines.json, pools.json (last good tables) and serials.json. */
    state_dir: z.string().regex(/^\//, 'expected an absolute path').default('/var/lib/lanctl/dns'),
    /**
     * At start, how long to wait for the tables (state files, else mdb's first snapshot) before
     * answering from whatever is known.
     */
    startup_wait_ms: z.number().int().min(0).max(600_000).default(5000),
    http: z
      .object({ listen: listenSchema(DEFAULT_DNS_HTTP_PORT) })
      .strict()
      .prefault({}),
    /**
     * Answering processes. 1: this process answers. N > 1: N forked workers share the sockets
     * (Node's cluster module; the kernel spreads the datagrams), this process keeps the streams,
     * zones and HTTP port. Only under `lanctl serve dns` (a worker re-runs the command line).
     */
    workers: z.number().int().min(1).max(64).default(1),
    /** EDNS UDP payload size we advertise and answer within (RFC 9715's 1232 by default). */
    edns_udp_size: z.number().int().min(512).max(4096).default(1232),
    tcp: z
      .object({
        /** A TCP connection with no complete query for this long is closed. */
        idle_timeout_ms: z.number().int().min(100).max(600_000).default(10_000),
        max_connections: z.number().int().min(1).max(100_000).default(1000),
      })
      .strict()
      .prefault({}),
    forward: z
      .object({
        /** Per upstream attempt; after the last upstream times out the client gets SERVFAIL. */
        timeout_ms: z.number().int().min(50).max(30_000).default(2000),
        /** Answers kept (each for its smallest TTL, negative ones per RFC 2308). */
        cache_size: z.number().int().min(0).max(1_000_000).default(10_000),
        /** Cap on any cached TTL. */
        max_ttl: z.number().int().min(0).max(604_800).default(3600),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type DnsConfig = z.output<typeof dnsConfigSchema>;
