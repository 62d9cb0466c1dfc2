import type { KeyObject } from 'node:crypto';
import { authenticate, requireScope } from '@lanctl/auth';
import { invalidRequest, notFound } from '@lanctl/core';
import { MAC_FORMAT_MESSAGE, type Machine, normalizeMac } from '@lanctl/model';
import express, { type Router } from 'express';
import type { EventLog } from './event-log.ts';
import { machineBoot } from './machine-boot.ts';
import { mapBounded, type Source } from './sources.ts';

export interface TimelineDeps {
  publicKey: KeyObject;
  log: EventLog;
  /** Current machines from mdb's stream (the stream's view). */
  machineByHostname(hostname: string): Machine | undefined;
  machines(): Machine[];
  /** dhcp's and tftp's HTTP APIs; null: not configured (the timeline says so). */
  dhcp: Source;
  tftp: Source;
  now(): number;
  /** Per call to dhcp or tftp (2 s by default). */
  sourceTimeoutMs?: number;
  /** Machines fetched at once by `/boot/status` (16 by default). */
  concurrency?: number;
}

/** Without `since`, the timeline looks this far back. */
export const DEFAULT_WINDOW_MS = 24 * 3600_000;

function parseSince(value: unknown, now: number): number {
  if (value === undefined) return now - DEFAULT_WINDOW_MS;
  const ms = typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    const message = 'expected an ISO 8601 date and time, e.g. 2026-11-22T08:00:00Z';
    throw invalidRequest(`since: ${message}`, [{ field: 'since', message }]);
  }
  return ms;
}

function parseRoom(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string' && value.length > 0 && value.length <= 64) return value;
  const message = 'expected a room name';
  throw invalidRequest(`room: ${message}`, [{ field: 'room', message }]);
}

function checkDeps(deps: TimelineDeps): void {
  for (const name of ['publicKey', 'log', 'machineByHostname', 'machines', 'now'] as const) {
    if (!deps?.[name]) throw new Error(`netboot: timeline: deps.${name} is required`);
  }
  for (const name of ['dhcp', 'tftp'] as const) {
    const s = deps[name];
    if (s === undefined) throw new Error(`netboot: timeline: deps.${name} is required (or null)`);
    if (s !== null && (!/^https?:\/\//.test(s.url) || !s.token))
      throw new Error(`netboot: timeline: deps.${name}: expected {url: http(s)://..., token}`);
  }
}

/**
 * `GET /machines/:hostname/boot` (one machine's last boot, every event), `GET /boot/macs/:mac`
 * (the same for any MAC, an unregistered one included) and `GET /boot/status`
 * (every machine of a room, its stage and verdict): bearer token with the `read` scope. Mounted
 * at /api/v1 by the netboot service.
 */
export function timelineRouter(deps: TimelineDeps): Router {
  checkDeps(deps);
  const sources = {
    log: deps.log,
    dhcp: deps.dhcp,
    tftp: deps.tftp,
    timeoutMs: deps.sourceTimeoutMs,
  };
  const router = express.Router();
  const auth = [authenticate(deps.publicKey), requireScope('read')];
  router.get('/machines/:hostname/boot', ...auth, async (req, res) => {
    const hostname = String(req.params.hostname);
    const machine = deps.machineByHostname(hostname);
    if (!machine) throw notFound(`machine ${hostname}`);
    const sinceMs = parseSince(req.query.since, deps.now());
    res.json(await machineBoot(sources, machine, sinceMs));
  });
  // Any MAC, registered or not: where an unknown machine (an alien) got, before it has a name.
  router.get('/boot/macs/:mac', ...auth, async (req, res) => {
    const mac = normalizeMac(String(req.params.mac));
    if (mac === null) {
      throw invalidRequest(`mac: ${MAC_FORMAT_MESSAGE}`, [
        { field: 'mac', message: MAC_FORMAT_MESSAGE },
      ]);
    }
    const sinceMs = parseSince(req.query.since, deps.now());
    const known = deps.machines().find((m) => m.mac.toLowerCase() === mac);
    res.json(await machineBoot(sources, known ?? { hostname: null, mac, ip: null }, sinceMs));
  });
  router.get('/boot/status', ...auth, async (req, res) => {
    const room = parseRoom(req.query.room);
    const sinceMs = parseSince(req.query.since, deps.now());
    const machines = deps
      .machines()
      .filter((m) => room === null || m.room === room)
      .sort((a, b) => a.hostname.localeCompare(b.hostname));
    // The first machine probes the sources: one that is down is left out for the others, so a
    // hung DHCP or TFTP API costs one timeout, not one per machine (300 x 2 s).
    const first = machines[0] ? [await machineBoot(sources, machines[0], sinceMs)] : [];
    const down = (name: 'dhcp' | 'tftp') => first[0]?.sources[name].startsWith('unavailable');
    const rest = {
      ...sources,
      dhcp: down('dhcp') ? null : sources.dhcp,
      tftp: down('tftp') ? null : sources.tftp,
    };
    const boots = [
      ...first,
      ...(await mapBounded(machines.slice(1), deps.concurrency ?? 16, (m) =>
        machineBoot(rest, m, sinceMs),
      )),
    ];
    const failing = (name: 'dhcp' | 'tftp') =>
      boots.find((b) => b.sources[name] !== 'ok')?.sources[name] ?? 'ok';
    res.json({
      room,
      sources: { dhcp: failing('dhcp'), tftp: failing('tftp'), netboot: 'ok' },
      machines: boots.map(({ hostname, mac, ip, boot }) => ({
        hostname,
        mac,
        ip,
        stage: boot.stage,
        ok: boot.ok,
        last_at: boot.last_at,
        verdict: boot.verdict,
      })),
    });
  });
  return router;
}
