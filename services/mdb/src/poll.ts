import { issuesToFields, type Logger, type Registry } from '@lanctl/core';
import {
  type Machine,
  type MachineCreate,
  type MachineUpdate,
  machineCreateSchema,
  machineUpdateSchema,
  macSchema,
} from '@lanctl/model';
import {
  type Hub,
  inSadmItem,
  type SadmItem,
  type SadmPollServer,
  sadmItemError,
  sadmPollRouter,
} from '@lanctl/sync';
import { toSadmMachine } from './sadm.ts';
import type { MdbStore } from './store/index.ts';

export interface MdbPollOptions {
  hub: Hub;
  /** `sadm.sub_secret_file`'s content: SADM's mdbsync subscribers (mdbdhcp, mdbdns, ...). */
  subSecret: Buffer | null;
  /** `sadm.pub_secret_file`'s content: SADM tools publishing machines to `/update`. */
  pubSecret: Buffer | null;
  logger: Logger;
  metrics: Registry;
  bodyLimit: number;
  keepAliveMs?: number;
}

/**
 * SADM's mdbsync (`/poll`, `/update`, pk `mac`) on mdb's own hub: subscribers get SADM's
 * ten-field machine dicts; published items are written through the store, so they reach every
 * subscriber, native or SADM, through the change log like any other write.
 */
export function mdbPollRouter(store: MdbStore, options: MdbPollOptions): SadmPollServer {
  return sadmPollRouter({
    hub: options.hub,
    tables: [
      {
        table: 'machines',
        key: (m: Machine) => m.mac,
        toSadm: (m: Machine) => toSadmMachine(m),
      },
    ],
    subSecret: options.subSecret,
    pubSecret: options.pubSecret,
    onUpdate: (items) => applyMachineItems(store, items, options.logger),
    logger: options.logger,
    metrics: options.metrics,
    service: 'mdb',
    bodyLimit: options.bodyLimit,
    keepAliveMs: options.keepAliveMs,
  });
}

type Plan = { op: 'upsert'; mac: string; fields: MachineUpdate } | { op: 'delete'; mac: string };

/**
 * Every item is checked first (fields, and that a machine it creates is complete); only then
 * are they applied, one store call each, in order. An `update` of a known MAC edits the SADM
 * fields it carries; of an unknown one, creates the machine (its IP as given, or allocated).
 */
export async function applyMachineItems(
  store: MdbStore,
  items: SadmItem[],
  logger: Logger,
): Promise<void> {
  const plans = items.map(planItem);
  const known = new Map<string, boolean>();
  for (const [i, plan] of plans.entries()) {
    const exists = known.get(plan.mac) ?? (await findByMac(store, plan.mac)) !== undefined;
    if (plan.op === 'upsert' && !exists) creation(plan, i);
    known.set(plan.mac, plan.op === 'upsert');
  }
  for (const [i, plan] of plans.entries()) {
    try {
      await applyPlan(store, plan, i, logger);
    } catch (e) {
      throw inSadmItem(i, e);
    }
  }
}

/** SADM's dict → the API's fields: `aliases` is a comma string, an empty `ip` means none. */
function planItem(item: SadmItem, index: number): Plan {
  const mac = macSchema.safeParse(item.data.mac);
  if (!mac.success) return fail(index, 'mac', mac.error.issues[0]?.message ?? 'invalid');
  if (item.type === 'delete') return { op: 'delete', mac: mac.data };
  const input: Record<string, unknown> = { ...item.data };
  if (typeof input.aliases === 'string') {
    input.aliases = input.aliases
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '');
  }
  if (input.ip === '' || input.ip === null) delete input.ip;
  const parsed = machineUpdateSchema.safeParse(input);
  if (!parsed.success) throw sadmItemError(index, issuesToFields(parsed.error.issues));
  return { op: 'upsert', mac: mac.data, fields: parsed.data };
}

/** The machine an upsert of an unknown MAC creates, or a 422 saying what it lacks. */
function creation(plan: Extract<Plan, { op: 'upsert' }>, index: number): MachineCreate {
  const parsed = machineCreateSchema.safeParse({ ...plan.fields, mac: plan.mac });
  if (!parsed.success) throw sadmItemError(index, issuesToFields(parsed.error.issues));
  return parsed.data;
}

async function applyPlan(store: MdbStore, plan: Plan, index: number, logger: Logger) {
  const current = await findByMac(store, plan.mac);
  if (plan.op === 'delete') {
    if (current) await store.machines.remove(current.hostname);
    // As SADM's server: a delete of an unknown key is logged, nothing else.
    else logger.warn('sadm /update: delete of an unknown machine', { mac: plan.mac });
    return;
  }
  if (!current) {
    await store.machines.create(creation(plan, index));
    return;
  }
  const { mac: _same, ...patch } = plan.fields;
  await store.machines.update(current.hostname, patch);
}

async function findByMac(store: MdbStore, mac: string): Promise<Machine | undefined> {
  return (await store.machines.list({ limit: 1, mac })).items[0];
}

function fail(index: number, field: string, message: string): never {
  throw sadmItemError(index, [{ field, message }]);
}
