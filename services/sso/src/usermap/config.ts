import { z } from 'zod';

/** The `usermap` section of sso.yml: the live seat map served at /usermap. */
export const usermapConfigSchema = z
  .object({
    /** Shown as the page title and heading. */
    title: z.string().min(1).max(100).default('lanctl usermap'),
    ping: z
      .object({
        /** false: no machine is ever shown unreachable. */
        enabled: z.boolean().default(true),
        /** A round pings every machine that has an IP (SADM: every 5 s). */
        interval_seconds: z.number().int().min(1).max(3600).default(5),
        /** `ping -W`: how long to wait for the reply (SADM: 2). */
        timeout_seconds: z.number().int().min(1).max(30).default(2),
        /** At most this many `ping` processes at once. */
        concurrency: z.number().int().min(1).max(512).default(32),
        /** Consecutive lost pings before a machine shows unreachable. */
        failures: z.number().int().min(1).max(100).default(2),
      })
      .strict()
      .prefault({}),
    /** Browsers following /usermap/events at once; more get 503. */
    max_clients: z.number().int().min(1).max(10000).default(200),
    /** A comment line on every open stream this often, so proxies keep it open. */
    heartbeat_seconds: z.number().int().min(1).max(300).default(15),
  })
  .strict()
  .prefault({});

export type UsermapConfig = z.output<typeof usermapConfigSchema>;
