import { z } from 'zod';

/** `listen: {host, port}`, loopback by default; port 0 asks the kernel for a free one. */
export const listenSchema = (defaultPort: number) =>
  z
    .object({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(defaultPort),
    })
    .strict()
    .prefault({});

/** `database: {url, pool_size}`: a SQLite file path, or a `postgres://` URL. */
export const databaseSchema = (defaultUrl: string) =>
  z
    .object({
      url: z.string().min(1).default(defaultUrl),
      pool_size: z.number().int().min(1).max(100).default(10),
    })
    .strict()
    .prefault({});
