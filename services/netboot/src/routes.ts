import type { NetbootEvent } from '@lanctl/boot';
import type { Logger } from '@lanctl/core';
import { cidrContains, normalizeMac, parseCidr, parseIpv4 } from '@lanctl/model';
import { type Request, type Response, Router } from 'express';
import type { z } from 'zod';
import type { NetbootConfig } from './config.ts';
import { echo, pauseThen, script } from './ipxe.ts';
import type { NetbootMetrics } from './metrics.ts';
import { createRateLimit } from './rate-limit.ts';
import type { Registrar } from './registrar.ts';
import {
  firstIssue,
  formQuerySchema,
  menuQuerySchema,
  parseQuery,
  registerQuerySchema,
} from './requests.ts';
import { decideBoot } from './scripts/boot.ts';
import { formScript, refusedScript, registeredScript } from './scripts/form.ts';
import { bootstrapScript, menuScript } from './scripts/menu.ts';
import type { MdbTables } from './tables.ts';

export interface ScriptRouteDeps {
  config: NetbootConfig;
  tables: MdbTables;
  registrar: Registrar;
  record(event: NetbootEvent): void;
  metrics: NetbootMetrics;
  logger: Logger;
  now(): number;
}

/** The address the request came from: X-Real-IP only when nginx (a trusted proxy) sent it. */
export function clientIp(req: Request, trusted: ReadonlySet<string>): string {
  const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const real = req.headers['x-real-ip'];
  if (trusted.has(peer) && typeof real === 'string' && real.trim() !== '') return real.trim();
  return peer;
}

/** Every reply is an iPXE script, even a refusal: iPXE shows only a script's own `echo`. */
function send(res: Response, body: string, outcome: string): void {
  res
    .status(200)
    .type('text/plain; charset=utf-8')
    .set('cache-control', 'no-store')
    .set('x-lanctl-outcome', outcome)
    .send(body);
}

/** `/bootstrap`, `/boot/<mac>/` and the registration menu, form and `/register`. */
export function scriptRoutes(deps: ScriptRouteDeps): Router {
  const { config, tables, registrar, metrics } = deps;
  const trusted = new Set(config.trusted_proxies);
  const aliens = config.alien_networks.map((n) => parseCidr(n)!);
  const base = config.public_url;
  const menuCtx = () => ({
    base,
    banner: config.banner,
    switches: tables.switches(),
    lldpWaitSeconds: config.delays.lldp_wait_seconds,
    menuTimeoutSeconds: config.delays.menu_timeout_seconds,
  });
  const limit = createRateLimit({
    perKey: config.registration.per_address_per_minute,
    total: config.registration.per_minute,
    now: deps.now,
  });
  const reserved = config.registration.reserved_hostnames.map((r) => new RegExp(`^(?:${r})$`));
  const formCtx = () => ({
    base,
    banner: config.banner,
    rooms: tables.rooms(),
    // Only the types a machine may give itself are offered (and accepted by /register).
    machineTypes: tables.machineTypes().filter((t) => config.registration.mtypes.includes(t.name)),
    menuTimeoutSeconds: config.delays.menu_timeout_seconds,
  });
  const reply = (
    req: Request,
    res: Response,
    event: Omit<NetbootEvent, 'at' | 'ip' | 'path' | 'status'>,
    body: string,
  ) => {
    const ip = clientIp(req, trusted);
    deps.record({ at: deps.now(), ip, path: req.originalUrl.slice(0, 500), status: 200, ...event });
    metrics.scripts.inc({ kind: event.kind, outcome: event.outcome });
    send(res, body, event.outcome);
  };
  const invalid = (req: Request, res: Response, kind: NetbootEvent['kind'], message: string) => {
    deps.logger.warn('invalid netboot request', { path: req.originalUrl.slice(0, 200), message });
    const mac = normalizeMac(String(parseQueryObject(req).mac ?? ''));
    reply(
      req,
      res,
      { kind, mac, outcome: 'invalid', detail: message },
      refusedScript(formCtx(), mac, message),
    );
  };

  const router = Router();
  router.get('/bootstrap', (req, res) => {
    reply(
      req,
      res,
      { kind: 'bootstrap', mac: null, outcome: 'ok', detail: null },
      bootstrapScript(menuCtx()),
    );
  });

  router.get('/boot/:mac{/}', (req, res) => {
    const mac = normalizeMac(req.params.mac as string);
    if (mac === null) {
      const body = script([
        ...echo(`Bad MAC address in the request: ${req.params.mac}.`, 'Rebooting in 30 s.'),
        'sleep 30',
        'reboot',
      ]);
      reply(req, res, { kind: 'script', mac: null, outcome: 'invalid', detail: 'bad MAC' }, body);
      return;
    }
    if (!tables.machinesLoaded()) {
      // First start with mdb unreachable and no state file: every MAC would look unknown.
      const body = script([
        ...echo(config.banner, 'The netboot service is starting (no machine table yet).'),
        ...pauseThen(config.delays.retry_seconds, `${base}/boot/${mac}/`),
      ]);
      reply(
        req,
        res,
        { kind: 'script', mac, outcome: 'starting', detail: 'no machine table yet' },
        body,
      );
      return;
    }
    const decision = decideBoot(
      {
        base,
        banner: config.banner,
        profiles: tables.bootProfiles(),
        rfsAddress: (n) => config.rfs[String(n)]?.nfs_ip ?? tables.rfsAddress(n),
        nfsExport: `${config.nfs.export}${config.nfs.options ? `,${config.nfs.options}` : ''}`,
        delays: {
          faultySeconds: config.delays.faulty_seconds,
          retrySeconds: config.delays.retry_seconds,
          fileRetrySeconds: config.delays.file_retry_seconds,
        },
      },
      mac,
      tables.machineByMac(mac),
    );
    const event = {
      kind: 'script' as const,
      mac,
      outcome: decision.outcome,
      detail: decision.detail,
    };
    reply(req, res, { ...event, profile: decision.profile }, decision.script);
  });

  router.get('/register/menu', async (req, res) => {
    const parsed = parseWith(menuQuerySchema, req);
    if (!parsed.ok) return invalid(req, res, 'menu', parsed.message);
    const { mac } = parsed.data;
    const state = await registrar.state();
    const planned = state.open ? await registrar.planned(tables.rooms().map((r) => r.name)) : [];
    const body = menuScript(menuCtx(), mac, {
      open: state.open,
      closedReason: state.reason,
      planned,
    });
    const detail = state.open
      ? `open; planned: ${planned.map((p) => p.hostname).join(' ') || 'none'}`
      : state.reason;
    reply(req, res, { kind: 'menu', mac, outcome: state.open ? 'menu' : 'closed', detail }, body);
  });

  router.get('/register/form', async (req, res) => {
    const parsed = parseWith(formQuerySchema, req);
    if (!parsed.ok) return invalid(req, res, 'menu', parsed.message);
    const q = parsed.data;
    if (q.room !== undefined && !tables.rooms().some((r) => r.name === q.room)) {
      return invalid(req, res, 'menu', `room: there is no room named ${q.room}`);
    }
    const suggestion = q.room
      ? await registrar
          .suggestion(q.room)
          .catch(() => ({ hostname: null, source: null, rfs: 0, hfs: 0 }))
      : { hostname: null, source: null, rfs: 0, hfs: 0 };
    const body = formScript(formCtx(), {
      mac: q.mac,
      via: q.via,
      room: q.room ?? null,
      rfs: q.rfs ?? suggestion.rfs,
      hfs: q.hfs ?? suggestion.hfs,
      chassis: q.chassis ?? null,
      keep: q.keep === '1',
      suggestion,
    });
    const detail = `${q.via}${q.room ? ` room ${q.room}` : ''}${suggestion.hostname ? ` suggested ${suggestion.hostname}` : ''}`;
    reply(req, res, { kind: 'menu', mac: q.mac, outcome: `form-${q.via}`, detail }, body);
  });

  router.get('/register', async (req, res) => {
    const parsed = parseWith(registerQuerySchema, req);
    if (!parsed.ok) return invalid(req, res, 'register', parsed.message);
    const q = parsed.data;
    const ip = clientIp(req, trusted);
    const from = parseIpv4(ip);
    const ctx = formCtx();
    const refuse = (outcome: string, message: string) => {
      metrics.registrations.inc({ outcome });
      reply(
        req,
        res,
        { kind: 'register', mac: q.mac, outcome, detail: message },
        refusedScript(ctx, q.mac, message),
      );
    };
    if (from === null || !aliens.some((n) => cidrContains(n, from))) {
      return refuse(
        'refused',
        `registration is only possible from the unknown machines' network (${config.alien_networks.join(', ')}); this request came from ${ip}.`,
      );
    }
    if (!ctx.rooms.some((r) => r.name === q.room))
      return refuse('invalid', `there is no room named ${q.room}.`);
    if (reserved.some((r) => r.test(q.hostname))) {
      return refuse('invalid', `the hostname ${q.hostname} is reserved for the servers.`);
    }
    if (!config.registration.mtypes.includes(q.mtype)) {
      return refuse(
        'invalid',
        `a machine of type ${q.mtype} cannot register itself (${config.registration.mtypes.join(', ')} can); a root adds it with lanctl machine add.`,
      );
    }
    if (!ctx.machineTypes.some((t) => t.name === q.mtype)) {
      return refuse('invalid', `there is no machine type named ${q.mtype}.`);
    }
    if (!limit.take(ip)) {
      return refuse('limited', 'too many registrations from this address; wait a minute.');
    }
    const result = await registrar.register({
      mac: q.mac,
      hostname: q.hostname,
      room: q.room,
      mtype: q.mtype,
      rfs: q.rfs,
      hfs: q.hfs,
    });
    if (result.outcome !== 'registered') return refuse(result.outcome, result.message);
    metrics.registrations.inc({ outcome: 'registered' });
    deps.logger.info('machine registered', {
      hostname: result.machine.hostname,
      mac: q.mac,
      ip: result.machine.ip,
      via: q.via,
    });
    const detail = `${result.machine.hostname} ${result.machine.ip} via ${q.via}`;
    reply(
      req,
      res,
      { kind: 'register', mac: q.mac, outcome: 'registered', detail },
      registeredScript(result.machine.hostname, result.machine.ip),
    );
  });
  return router;
}

function parseQueryObject(req: Request): Record<string, string> {
  const parsed = parseQuery(req.originalUrl);
  return typeof parsed === 'string' ? {} : parsed;
}

/** The query validated once, here at the edge; a problem is `field: message` for the screen. */
function parseWith<T>(
  schema: z.ZodType<T>,
  req: Request,
): { ok: true; data: T } | { ok: false; message: string } {
  const raw = parseQuery(req.originalUrl);
  if (typeof raw === 'string') return { ok: false, message: raw };
  const parsed = schema.safeParse(raw);
  return parsed.success
    ? { ok: true, data: parsed.data }
    : { ok: false, message: firstIssue(parsed.error) };
}
