/**
 * A bounded, deterministic stream of machine changes for the sync tests: creations, renames, MAC
 * and address changes, other field updates and deletions, mixed, from several concurrent workers.
 * Each worker owns its slots (and its own range of explicit addresses), so no two workers ever
 * touch the same machine and every write is expected to succeed; a write left without an answer
 * (the server died under it) gives its slot up, since what it did is unknown.
 */
import { Agent, request } from 'node:http';
import type { MdbStore } from '../../services/mdb/src/store/index.ts';

export type Op =
  | { kind: 'create'; body: Record<string, unknown> }
  | { kind: 'update'; hostname: string; patch: Record<string, unknown> }
  | { kind: 'delete'; hostname: string };

/** `ok`: acknowledged; `lost`: no answer (unknown outcome); otherwise why it was refused. */
export type Outcome = 'ok' | 'lost' | { refused: string };
export type Execute = (op: Op) => Promise<Outcome>;

export interface WriterOptions {
  /** Acknowledged changes wanted. */
  target: number;
  workers: number;
  /** The writer stops at this time even short of the target. */
  deadline: number;
  execute: Execute;
  /** Slots per worker: at most workers × slots machines exist at once (plus given-up ones). */
  slots?: number;
  /** Records of a few kilobytes (64 long aliases, 1000-character details). */
  large?: boolean;
  /** Once a slot holds a machine, only update its plain fields (the cheapest writes). */
  fieldsOnly?: boolean;
  seed?: number;
  /**
   * 0 or 1: keeps names, MACs and explicit addresses apart from another run's on the same
   * database (explicit addresses come from 192.168.1.0/24, or 192.168.2.0/24 for 1).
   */
  namespace?: number;
  /** Awaited before every write (e.g. while the server is being restarted). */
  gate?: () => Promise<void>;
  onAck?: (acked: number) => void;
}

export interface WriterResult {
  acked: number;
  lost: number;
  refused: string[];
  counts: Record<string, number>;
  elapsedMs: number;
}

interface Slot {
  hostname: string;
  mac: string;
  /** An address of the worker's own explicit range, or null for one allocated by mdb. */
  explicitIp: string | null;
}

/** Runs the workers until `target` changes were acknowledged or the deadline passed. */
export async function runWriter(options: WriterOptions): Promise<WriterResult> {
  const started = Date.now();
  const result: WriterResult = { acked: 0, lost: 0, refused: [], counts: {}, elapsedMs: 0 };
  let inFlight = 0;
  const worker = async (w: number) => {
    const model = new WorkerModel(w, options);
    // Every iteration sends one write; the count bound is a second guard besides the deadline.
    for (let i = 0; i < options.target * 2; i++) {
      if (result.acked + inFlight >= options.target || Date.now() > options.deadline) break;
      await options.gate?.();
      const step = model.next();
      inFlight++;
      const outcome = await options.execute(step.op);
      inFlight--;
      if (outcome === 'ok') {
        step.commit();
        result.acked++;
        result.counts[step.label] = (result.counts[step.label] ?? 0) + 1;
        options.onAck?.(result.acked);
      } else {
        step.giveUp();
        if (outcome === 'lost') result.lost++;
        else result.refused.push(`${step.label} ${JSON.stringify(step.op)}: ${outcome.refused}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));
  result.elapsedMs = Date.now() - started;
  return result;
}

class WorkerModel {
  private readonly slots: (Slot | null)[];
  /** Explicit addresses of this worker's range (192.168.1.x or .2.x) that no machine holds. */
  private readonly freeIps: string[] = [];
  private counter = 0;
  private readonly random: () => number;
  private readonly large: boolean;
  private readonly fieldsOnly: boolean;
  private readonly ns: number;

  constructor(
    private readonly w: number,
    options: WriterOptions,
  ) {
    if (w >= 8) throw new Error('writer: at most 8 workers (explicit address ranges)');
    this.ns = options.namespace ?? 0;
    this.large = options.large ?? false;
    this.fieldsOnly = options.fieldsOnly ?? false;
    this.slots = Array.from({ length: options.slots ?? 20 }, () => null);
    this.random = mulberry32((options.seed ?? 1) * 7919 + w);
    for (let k = 1; k <= 30; k++) this.freeIps.push(`192.168.${1 + this.ns}.${w * 30 + k}`);
  }

  next(): { op: Op; label: string; commit(): void; giveUp(): void } {
    const index = Math.floor(this.random() * this.slots.length);
    const slot = this.slots[index] ?? null;
    const n = ++this.counter;
    const set = (value: Slot | null) => () => {
      this.slots[index] = value;
    };
    // A write without an answer may or may not have happened: the slot is given up (its names
    // and MAC are never used again, and its explicit addresses never handed out again).
    const giveUp = set(null);
    if (!slot) {
      const hostname = this.name(n);
      const body = {
        hostname,
        mac: this.mac(n),
        aliases: this.aliases(hostname, n),
        ...this.extra(n),
      };
      const created = { hostname, mac: body.mac, explicitIp: null };
      return { op: { kind: 'create', body }, label: 'create', commit: set(created), giveUp };
    }
    const r = this.fieldsOnly ? 1 : this.random();
    const update = (label: string, patch: Record<string, unknown>, after: Slot) => ({
      op: { kind: 'update' as const, hostname: slot.hostname, patch },
      label,
      commit: set(after),
      giveUp,
    });
    if (r < 0.1) {
      const commit = () => {
        if (slot.explicitIp) this.freeIps.push(slot.explicitIp);
        this.slots[index] = null;
      };
      return { op: { kind: 'delete', hostname: slot.hostname }, label: 'delete', commit, giveUp };
    }
    if (r < 0.3) {
      const hostname = this.name(n);
      return update('rename', { hostname }, { ...slot, hostname });
    }
    if (r < 0.45) {
      const mac = this.mac(n);
      return update('mac', { mac }, { ...slot, mac });
    }
    if (r < 0.6) {
      if (slot.explicitIp || this.freeIps.length === 0) {
        // Back to an address allocated by mdb (always a different one: its own is still taken).
        const step = update('ip', { ip: null }, { ...slot, explicitIp: null });
        const commit = step.commit;
        step.commit = () => {
          if (slot.explicitIp) this.freeIps.push(slot.explicitIp);
          commit();
        };
        return step;
      }
      const ip = this.freeIps.shift()!;
      return update('ip', { ip }, { ...slot, explicitIp: ip });
    }
    return update('fields', this.extra(n), slot);
  }

  private name(n: number): string {
    return `n${this.ns}w${this.w}-${n}`;
  }

  /** Locally administered, unique per (worker, counter). */
  private mac(n: number): string {
    const bytes = [0x02, 0x5c + this.ns, this.w, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
  }

  /** Derived from the hostname the machine is created with, so never another's name. */
  private aliases(hostname: string, n: number): string[] {
    if (this.large) {
      const pad = 'x'.repeat(40);
      return Array.from({ length: 64 }, (_, k) => `${hostname}-${pad}-${k}`);
    }
    return n % 3 === 0 ? [`${hostname}-a`, `${hostname}-b`] : [];
  }

  /** Fields that differ from any earlier write of this worker (so every update changes). */
  private extra(n: number): Record<string, unknown> {
    const details = this.large ? `${n}:${'d'.repeat(990)}` : `d${n}`;
    return {
      rfs: n % 1000,
      hfs: (n * 7) % 1000,
      is_faulty: n % 2 === 0,
      is_faulty_details: details,
    };
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Executors

/** Writes through mdb's HTTP API (keep-alive connections); `baseUrl` is read for every write. */
export function httpExecutor(baseUrl: () => string, token: string, concurrency: number): Execute {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  return async (op) => {
    const path =
      op.kind === 'create'
        ? '/api/v1/machines'
        : `/api/v1/machines/${encodeURIComponent(op.hostname)}`;
    const method = op.kind === 'create' ? 'POST' : op.kind === 'update' ? 'PATCH' : 'DELETE';
    const body = op.kind === 'create' ? op.body : op.kind === 'update' ? op.patch : undefined;
    const reply = await send(agent, `${baseUrl()}${path}`, method, token, body);
    if (reply === null) return 'lost';
    const expected = op.kind === 'create' ? 201 : 200;
    return reply.status === expected ? 'ok' : { refused: `${reply.status} ${reply.text}` };
  };
}

function send(
  agent: Agent,
  url: string,
  method: string,
  token: string,
  body: unknown,
): Promise<{ status: number; text: string } | null> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  return new Promise((done) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => done(null));
      res.on('end', () =>
        done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.setTimeout(20_000, () => req.destroy(new Error('request timed out')));
    req.on('error', () => done(null));
    req.end(payload);
  });
}

/** Writes through the store of an in-process mdb (no HTTP: faster). */
export function storeExecutor(store: MdbStore): Execute {
  return async (op) => {
    try {
      if (op.kind === 'create') await store.machines.create(parseCreate(op.body));
      else if (op.kind === 'update') await store.machines.update(op.hostname, op.patch as never);
      else await store.machines.remove(op.hostname);
      return 'ok';
    } catch (e) {
      return { refused: String(e) };
    }
  };
}

/** The store takes what the API's schema outputs: every field present. */
function parseCreate(body: Record<string, unknown>): never {
  return {
    ip: null,
    uuid: null,
    mtype: 'orga',
    room: 'other',
    aliases: [],
    rfs: 0,
    hfs: 0,
    is_faulty: false,
    is_faulty_details: '',
    ...body,
  } as never;
}
