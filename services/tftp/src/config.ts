import { isIP } from 'node:net';
import { listenSchema } from '@lanctl/core';
import { MAX_BLKSIZE, MIN_BLKSIZE } from '@lanctl/tftp-wire';
import { z } from 'zod';

/** /healthz, /metrics and the transfer records (the TFTP port, 69, plus 20000). */
export const DEFAULT_TFTP_HTTP_PORT = 20069;

const relativeName = z
  .string()
  .min(1)
  .refine((s) => !s.includes('\0') && !s.includes('\\'), 'expected no NUL and no backslash')
  .refine(
    (s) => !s.startsWith('/') && !s.split('/').includes('..'),
    'expected a path relative to root, without ".."',
  );

/** /etc/lanctl/tftp.yml */
export const tftpConfigSchema = z
  .object({
    /** The TFTP socket (UDP). A host with several addresses on the LAN: give the LAN address. */
    listen: z
      .object({
        host: z
          .string()
          .refine((h) => isIP(h) !== 0, 'expected an IPv4 or IPv6 address')
          .default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(69),
      })
      .strict()
      .prefault({}),
    /** Served read-only; nothing outside it is ever opened. Debian's `ipxe` package by default. */
    root: z.string().regex(/^\//, 'expected an absolute path').default('/usr/lib/ipxe'),
    /** Requested name → file under root (SADM sites: `prologin.kpxe: undionly.kpxe`). */
    aliases: z.record(relativeName, relativeName).default({}),
    /** Wait for an ACK before sending again (a client's `timeout` option overrides it). */
    retransmit_timeout_ms: z.number().int().min(10).max(255_000).default(1000),
    /** Retransmissions of one packet before the transfer is given up. */
    retries: z.number().int().min(0).max(100).default(5),
    /** Transfers at once; a request beyond is dropped (the client retries it). */
    max_transfers: z.number().int().min(1).max(20_000).default(1024),
    /** Largest block size granted (1468: one Ethernet frame; clients asking more get this). */
    max_blksize: z.number().int().min(MIN_BLKSIZE).max(MAX_BLKSIZE).default(1468),
    /** Largest RFC 7440 window granted (1: lock-step, as RFC 1350). */
    max_windowsize: z.number().int().min(1).max(65535).default(16),
    /** Bytes of file contents kept in memory; a larger file is read for each transfer. */
    cache_bytes: z
      .number()
      .int()
      .min(0)
      .default(256 * 1024 * 1024),
    /** Transfers kept in memory for `GET /api/v1/transfers` (soft state: lost on restart). */
    history: z.number().int().min(0).max(1_000_000).default(10_000),
    /** /healthz, /metrics and `GET /api/v1/transfers`. */
    http: z
      .object({ listen: listenSchema(DEFAULT_TFTP_HTTP_PORT) })
      .strict()
      .prefault({}),
    /**
     * Verifies the transfers API's bearer tokens (scope `read`). null: no API (a TFTP-only host
     * without the key; the boot timeline then lacks its TFTP part).
     */
    auth: z
      .object({
        public_key_file: z.string().min(1).nullable().default('/etc/lanctl/token-signing.pub'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type TftpConfig = z.output<typeof tftpConfigSchema>;
