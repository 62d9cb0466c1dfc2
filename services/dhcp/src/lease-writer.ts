import { Worker } from 'node:worker_threads';
import type { BootStep } from './leases.ts';
import type { Lease } from './policy.ts';

/**
 * The lease database's writer, on its own thread: each call is one transaction (one fsync).
 * Rows travel as flat arrays (`leaseFields`, `eventFields` per row): one cheap structured clone.
 */
export interface LeaseWriter {
  write(leases: FlatRows, events: FlatRows): Promise<void>;
  /** Deletes boot events older than `now - maxAgeMs` and beyond `perMac` per MAC. */
  prune(now: number, maxAgeMs: number, perMac: number): Promise<number>;
  close(): Promise<void>;
}

export type FlatRows = (string | number | null)[];
export const LEASE_FIELDS = 7;
export const EVENT_FIELDS = 10;

/** Appends a lease's columns (leases: ip, key, mac, state, expires_at, subnet, hostname). */
export function leaseFields(out: FlatRows, l: Lease): void {
  out.push(l.ip, l.key, l.mac, l.state, l.expiresAt, l.subnet, l.hostname);
}

/**
 * Appends a step's columns (boot_events: at, mac, type, xid, address, kind, relay, detail,
 * outcome, outcome_address).
 */
export function eventFields(out: FlatRows, e: BootStep): void {
  out.push(e.at, e.mac, e.type, e.xid, e.address, e.kind, e.relay, e.detail);
  out.push(e.outcome, e.outcomeAddress);
}

interface Waiter {
  resolve(value: unknown): void;
  reject(e: Error): void;
}

/** Starts the writer thread on an existing database (schema created by the caller). */
export function startLeaseWriter(path: string): LeaseWriter {
  const worker = new Worker(new URL('./lease-worker.cjs', import.meta.url), {
    workerData: { path },
  });
  worker.unref();
  const waiters = new Map<number, Waiter>();
  let nextId = 0;
  let dead: Error | null = null;
  const failAll = (e: Error) => {
    dead = e;
    for (const w of waiters.values()) w.reject(e);
    waiters.clear();
  };
  worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
    const w = waiters.get(m.id);
    waiters.delete(m.id);
    if (m.ok) w?.resolve(m.value);
    else w?.reject(new Error(`lease database: ${m.error}`));
  });
  worker.on('error', (e) => failAll(e));
  worker.on('exit', (code) => failAll(new Error(`lease database writer exited (${code})`)));
  const call = (message: Record<string, unknown>) =>
    new Promise<unknown>((resolve, reject) => {
      if (dead) return reject(dead);
      const id = nextId++;
      waiters.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  return {
    write: async (leases, events) => {
      await call({ op: 'write', leases, events });
    },
    prune: async (now, maxAgeMs, perMac) =>
      (await call({ op: 'prune', before: now - maxAgeMs, perMac })) as number,
    close: async () => {
      if (!dead) await call({ op: 'close' });
      await worker.terminate();
    },
  };
}
