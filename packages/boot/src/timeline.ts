import { type BootStage, type BootSummary, stageRank, type TimelineEvent } from './types.ts';
import { verdictOf } from './verdict.ts';

/** A pause longer than this starts a new boot. */
export const BOOT_GAP_MS = 5 * 60_000;

const DHCP_REQUESTS = new Set(['DISCOVER', 'REQUEST']);
const SYSTEM_LABEL = /\((BIOS|UEFI) firmware\)/;

const ms = (e: TimelineEvent) => Date.parse(e.at);
const dhcpType = (e: TimelineEvent) => (e.source === 'dhcp' ? String(e.detail?.type ?? '') : '');
const isDhcpRequest = (e: TimelineEvent) => DHCP_REQUESTS.has(dhcpType(e));

/** Oldest first; at the same millisecond a DHCP request comes before the server's answer. */
function sorted(all: TimelineEvent[]): TimelineEvent[] {
  const order = (e: TimelineEvent) => (e.source === 'dhcp' && !isDhcpRequest(e) ? 1 : 0);
  return all
    .map((e) => ({ e, at: ms(e), order: order(e) }))
    .filter((k) => !Number.isNaN(k.at))
    .sort((a, b) => a.at - b.at || a.order - b.order)
    .map((k) => k.e);
}

/** Does `e` begin a new boot, given the current boot's furthest stage and last event? */
function startsBoot(e: TimelineEvent, furthest: number, lastMs: number): boolean {
  if (ms(e) - lastMs > BOOT_GAP_MS) return true;
  if (!isDhcpRequest(e)) return false;
  if (e.stage === 'dhcp-firmware') return furthest > stageRank('dhcp-firmware');
  return furthest >= stageRank('bootstrap');
}

/** Cuts the merged, sorted events into boots. */
export function splitBoots(all: TimelineEvent[]): TimelineEvent[][] {
  const boots: TimelineEvent[][] = [];
  let current: TimelineEvent[] = [];
  let furthest = -1;
  for (const e of sorted(all)) {
    const last = current[current.length - 1];
    if (last && startsBoot(e, furthest, ms(last))) {
      boots.push(current);
      current = [];
      furthest = -1;
    }
    current.push(e);
    furthest = Math.max(furthest, stageRank(e.stage));
  }
  if (current.length > 0) boots.push(current);
  return mergeSystemDhcp(boots);
}

/**
 * The booted Linux asks DHCP too (no iPXE, no option 93: it looks like firmware). A "boot" made
 * only of such DHCP events, right after a boot that reached its end, is that system's DHCP (a
 * DISCOVER within BOOT_GAP_MS of it, or a renewal at any time): it stays in the finished boot.
 */
function mergeSystemDhcp(boots: TimelineEvent[][]): TimelineEvent[][] {
  const out: TimelineEvent[][] = [];
  for (const boot of boots) {
    const previous = out[out.length - 1];
    if (previous && isSystemDhcp(boot, previous)) {
      previous.push(...boot.map(asSystem));
    } else {
      out.push(boot);
    }
  }
  return out;
}

function isSystemDhcp(boot: TimelineEvent[], previous: TimelineEvent[]): boolean {
  if (!boot.every((e) => e.source === 'dhcp' && e.stage === 'dhcp-firmware')) return false;
  if (!reachedEnd(previous)) return false;
  const hasDiscover = boot.some((e) => dhcpType(e) === 'DISCOVER');
  const lastBefore = previous[previous.length - 1]!;
  return !hasDiscover || ms(boot[0]!) - ms(lastBefore) <= BOOT_GAP_MS;
}

function asSystem(e: TimelineEvent): TimelineEvent {
  return {
    ...e,
    summary: e.summary.replace(SYSTEM_LABEL, '(booted system)'),
    detail: { ...e.detail, system: true },
  };
}

const isSystem = (e: TimelineEvent) => e.detail?.system === true;

function latest(events: TimelineEvent[], stage: BootStage): TimelineEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.stage === stage && !isSystem(e)) return e;
  }
  return undefined;
}

/** Kernel and initrd both downloaded (their latest attempts succeeded). */
export function isLoaded(events: TimelineEvent[]): boolean {
  return latest(events, 'kernel')?.ok === true && latest(events, 'initrd')?.ok === true;
}

function bootsLocally(events: TimelineEvent[]): boolean {
  const script = latest(events, 'script');
  return script?.source === 'netboot' && script.ok && script.detail?.outcome === 'local';
}

function reachedEnd(events: TimelineEvent[]): boolean {
  return isLoaded(events) || bootsLocally(events);
}

/**
 * The boot script and the registration menu are two answers to the same request (known or
 * unknown machine): whichever came last is where the boot is, e.g. a machine just registered
 * whose next script is refused stopped at the script, not in the menu.
 */
const level = (stage: BootStage): number =>
  stage === 'registration' ? stageRank('script') : stageRank(stage);

/** The furthest stage of a boot's own events (`loaded` once kernel and initrd are in). */
export function furthestStage(events: TimelineEvent[]): BootStage | null {
  if (isLoaded(events)) return 'loaded';
  let best: BootStage | null = null;
  for (const e of events) {
    if (isSystem(e)) continue;
    const answer = e.stage === 'script' || e.stage === 'registration';
    if (best === null || level(e.stage) > level(best) || (answer && level(e.stage) === level(best)))
      best = e.stage;
  }
  return best;
}

/**
 * Merges the sources, sorts by time and keeps the LAST boot: a boot starts at a DHCP DISCOVER or
 * REQUEST from firmware after any later stage, at one from iPXE after the bootstrap stage, or
 * after a pause longer than BOOT_GAP_MS.
 */
export function lastBoot(all: TimelineEvent[]): BootSummary {
  const boots = splitBoots(all);
  const events = boots[boots.length - 1] ?? [];
  const stage = furthestStage(events);
  return {
    started_at: events[0]?.at ?? null,
    last_at: events[events.length - 1]?.at ?? null,
    stage,
    ok: reachedEnd(events),
    verdict: verdictOf(events, stage),
    events,
  };
}
