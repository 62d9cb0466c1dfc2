import type { KeyObject } from 'node:crypto';
import { authenticate, principalOf, requireScope } from '@lanctl/auth';
import { isAppError, issuesToFields, type Logger, type Registry } from '@lanctl/core';
import { collectAll, type Machine, registrationSchema, type Switch } from '@lanctl/model';
import {
  applyFilters,
  bindArguments,
  type FilterFields,
  RpcError,
  type SadmMethod,
  sadmRpcRouter,
} from '@lanctl/sadm';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { MdbStore } from './store/index.ts';

/**
 * SADM's mdb RPC (`prologin/mdb/views.py`) at `/call/<method>`: `query`, `switches`, `ansible`
 * and `register`, so SADM's clients and `curl -fs http://mdb/call/ansible | jq .data` keep
 * working. Everything goes through the same store as `/api/v1`.
 */
export interface MdbSadmOptions {
  publicKey: KeyObject;
  /** `sadm.public_read`: false makes query/switches/ansible need a token with `read` scope. */
  publicRead: boolean;
  metrics: Registry;
  logger: Logger;
  bodyLimit: number;
}

export function mdbSadmRouter(store: MdbStore, options: MdbSadmOptions): Router {
  return sadmRpcRouter(mdbSadmMethods(store, options), {
    service: 'mdb',
    metrics: options.metrics,
    logger: options.logger,
    bodyLimit: options.bodyLimit,
  });
}

/** SADM's `Machine.to_dict()`: exactly these ten fields, aliases comma-joined. */
export interface SadmMachine {
  hostname: string;
  aliases: string;
  ip: string;
  mac: string;
  rfs: number;
  hfs: number;
  mtype: string;
  room: string;
  is_faulty: boolean;
  is_faulty_details: string;
}

/** Filterable fields; unlike SADM (which checks the part before the first `_`), is_faulty* work. */
export const MACHINE_FILTER_FIELDS: FilterFields = {
  hostname: 'text',
  aliases: 'text',
  ip: 'text',
  mac: 'text',
  rfs: 'int',
  hfs: 'int',
  mtype: 'text',
  room: 'text',
  is_faulty: 'bool',
  is_faulty_details: 'text',
};

export const SWITCH_FILTER_FIELDS: FilterFields = {
  name: 'text',
  chassis: 'text',
  room: 'text',
  rfs: 'int',
  hfs: 'int',
};

const REGISTER_PARAMS = ['hostname', 'mac', 'rfs', 'hfs', 'room', 'mtype'] as const;
const PAGE = 5000;

export function mdbSadmMethods(
  store: MdbStore,
  options: Pick<MdbSadmOptions, 'publicKey' | 'publicRead'>,
): Record<string, SadmMethod> {
  const auth = options.publicRead ? undefined : readTokenAuth(options.publicKey);
  return {
    query: {
      auth,
      async handler(args, kwargs) {
        const { extra } = bindArguments('query', [], args, kwargs, { extraKwargs: true });
        return applyFilters(
          (await allMachines(store)).map(toSadmMachine),
          extra,
          MACHINE_FILTER_FIELDS,
        );
      },
    },
    switches: {
      auth,
      async handler(args, kwargs) {
        const { extra } = bindArguments('switches', [], args, kwargs, { extraKwargs: true });
        return applyFilters(
          (await allSwitches(store)).map(toSadmSwitch),
          extra,
          SWITCH_FILTER_FIELDS,
        );
      },
    },
    ansible: {
      auth,
      async handler(args, kwargs) {
        bindArguments('ansible', [], args, kwargs);
        return ansibleInventory(store);
      },
    },
    // SADM's register was open to the whole LAN; ours needs what POST /api/v1/registrations
    // needs (netboot's machines:register, or root), so the alien-range check cannot be bypassed.
    register: {
      auth: registerTokenAuth(options.publicKey),
      async handler(args, kwargs) {
        const { values } = bindArguments('register', REGISTER_PARAMS, args, kwargs);
        try {
          // The same path as POST /api/v1/registrations: setting, creation, expect lists.
          return (await store.registrations.register(registration(values), 'sadm')).ip;
        } catch (e) {
          throw registrationError(e);
        }
      },
    },
  };
}

export const toSadmMachine = (m: Machine): SadmMachine => ({
  hostname: m.hostname,
  aliases: m.aliases.join(','),
  ip: m.ip,
  mac: m.mac,
  rfs: m.rfs,
  hfs: m.hfs,
  mtype: m.mtype,
  room: m.room,
  is_faulty: m.is_faulty,
  is_faulty_details: m.is_faulty_details,
});

const toSadmSwitch = (s: Switch) => ({
  name: s.name,
  chassis: s.chassis,
  room: s.room,
  rfs: s.rfs,
  hfs: s.hfs,
});

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every machine, by hostname (code-unit order, the same on SQLite and PostgreSQL). */
async function allMachines(store: MdbStore): Promise<Machine[]> {
  const all = await collectAll((after) => store.machines.list({ limit: PAGE, after }));
  return all.sort((a, b) => byCodeUnits(a.hostname, b.hostname));
}

/** Every switch, ordered as SADM's model orders them: rfs, hfs, name. */
async function allSwitches(store: MdbStore): Promise<Switch[]> {
  const all = await collectAll((after) => store.switches.list(PAGE, after));
  return all.sort((a, b) => a.rfs - b.rfs || a.hfs - b.hfs || byCodeUnits(a.name, b.name));
}

async function allNames(
  list: (
    limit: number,
    after?: string,
  ) => Promise<{ items: { name: string }[]; next: string | null }>,
) {
  return (await collectAll((after) => list(PAGE, after))).map((i) => i.name);
}

/**
 * Ansible's dynamic inventory: one group per machine type and per room (every one in the
 * database, empty or not), then `_meta.hostvars`. A type and a room of the same name (`cluster`)
 * are one group in Ansible's namespace, so their hosts are merged, each host once.
 */
async function ansibleInventory(store: MdbStore) {
  const types = await allNames((limit, after) => store.machineTypes.list(limit, after));
  const rooms = await allNames((limit, after) => store.rooms.list(limit, after));
  const groups = new Map<string, string[]>();
  for (const name of [...types, ...rooms]) if (!groups.has(name)) groups.set(name, []);
  const hostvars: Record<string, unknown> = {};
  for (const m of await allMachines(store)) {
    for (const group of new Set([m.mtype, m.room])) {
      if (!groups.has(group)) groups.set(group, []);
      groups.get(group)!.push(m.hostname);
    }
    hostvars[m.hostname] = {
      mac: m.mac,
      rfs: m.rfs,
      hfs: m.hfs,
      room: m.room,
      aliases: m.aliases,
      is_faulty: m.is_faulty,
      is_faulty_details: m.is_faulty_details,
    };
  }
  const inventory: Record<string, unknown> = {};
  for (const [name, hosts] of groups) inventory[name] = { hosts };
  inventory._meta = { hostvars };
  return inventory;
}

/**
 * `register`'s arguments through the API's own schema. Numeric strings for rfs/hfs are taken
 * as Django's IntegerField takes them; anything the schema refuses is a `ValidationError`.
 */
function registration(values: Record<string, unknown>) {
  const input: Record<string, unknown> = { ...values };
  for (const key of ['rfs', 'hfs']) {
    const v = input[key];
    if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) input[key] = Number(v);
  }
  const parsed = registrationSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = issuesToFields(parsed.error.issues);
  throw new RpcError('ValidationError', fields.map((f) => `${f.field}: ${f.message}`).join('; '));
}

/** Store errors in SADM's words: duplicates and allocation failures are `RuntimeError`s. */
function registrationError(e: unknown): unknown {
  if (!isAppError(e)) return e;
  if (e.code === 'registration_closed') {
    return new RpcError('RuntimeError', 'self registration is disabled');
  }
  if (e.code === 'conflict') {
    return new RpcError('RuntimeError', `unable to register, duplicate name? ${e.message}`);
  }
  if (e.code === 'pool_exhausted') {
    return new RpcError('RuntimeError', 'unable to allocate an IP address');
  }
  if (e.code === 'unprocessable' && e.message.startsWith('ip:')) {
    return new RpcError('RuntimeError', `unable to allocate an IP address: ${e.message}`);
  }
  if (e.status === 400 || e.status === 422) return new RpcError('ValidationError', e.message);
  return e;
}

/**
 * A bearer token with `read` scope, checked by the same middleware as `/api/v1`: no token is
 * SADM's `MissingToken`, a bad one or one without the scope its `BadToken`.
 */
function readTokenAuth(publicKey: KeyObject): SadmMethod['auth'] {
  const verify = authenticate(publicKey);
  const read = requireScope('read');
  return (req) => {
    const res = req.res!;
    if (!passes(verify, req, res)) return 'bad';
    if (!principalOf(res)) return 'missing';
    return passes(read, req, res) ? 'ok' : 'bad';
  };
}

/** A token with the `machines:register` scope, or a root's. */
function registerTokenAuth(publicKey: KeyObject): SadmMethod['auth'] {
  const verify = authenticate(publicKey);
  return (req) => {
    const res = req.res!;
    if (!passes(verify, req, res)) return 'bad';
    const principal = principalOf(res);
    if (!principal) return 'missing';
    return principal.scopes.includes('machines:register') || principal.role === 'root'
      ? 'ok'
      : 'bad';
  };
}

/** Runs a synchronous middleware and tells whether it let the request through. */
function passes(middleware: RequestHandler, req: Request, res: Response): boolean {
  let through = false;
  try {
    middleware(req, res, (err?: unknown) => {
      through = err === undefined;
    });
  } catch {
    return false;
  }
  return through;
}
