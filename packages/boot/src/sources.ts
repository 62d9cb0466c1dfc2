import type { DhcpBootEvent, NetbootEvent, TftpTransfer, TimelineEvent } from './types.ts';
import { formatBytes, formatDuration } from './units.ts';

const CLIENT_LABEL: Record<string, string> = {
  bios: 'BIOS firmware',
  uefi: 'UEFI firmware',
  ipxe: 'iPXE',
};

const FAILED_DHCP = new Set(['NAK', 'IGNORED', 'DECLINE']);

function dhcpSummary(e: DhcpBootEvent): string {
  const who = CLIENT_LABEL[e.kind ?? ''] ?? e.kind ?? 'client';
  if (e.type === 'IGNORED') return `DHCP request ignored (${who}): ${e.detail ?? 'no reason'}`;
  if (e.type === 'NAK') return `DHCP NAK (${who}): ${e.detail ?? 'no message'}`;
  const address = e.address ? ` ${e.address}` : '';
  const reply = e.type === 'OFFER' || e.type === 'ACK';
  const file = reply && e.detail ? `, boot file ${e.detail}` : '';
  const note = !reply && e.detail ? `: ${e.detail}` : '';
  const relay = e.relay ? ` via relay ${e.relay}` : '';
  return `DHCP ${e.type}${address} (${who})${relay}${file}${note}`;
}

/** DHCP exchanges: stage `dhcp-ipxe` for iPXE, `dhcp-firmware` for anything else. */
export function fromDhcp(events: DhcpBootEvent[]): TimelineEvent[] {
  return events.map((e) => ({
    at: e.at,
    source: 'dhcp' as const,
    stage: e.kind === 'ipxe' ? ('dhcp-ipxe' as const) : ('dhcp-firmware' as const),
    ok: !FAILED_DHCP.has(e.type),
    summary: dhcpSummary(e),
    ip: e.address,
    detail: { type: e.type, xid: e.xid, kind: e.kind, relay: e.relay, note: e.detail },
  }));
}

function tftpSummary(t: TftpTransfer): string {
  const name = t.file;
  const size = t.tsize === null ? '' : ` (${formatBytes(t.tsize)})`;
  const why = t.detail ? `: ${t.detail}` : '';
  switch (t.outcome) {
    case 'done':
      return `TFTP ${name} ${formatBytes(t.bytes)} in ${formatDuration(t.duration_ms)}`;
    case 'size-probe':
      return `TFTP ${name} size probe${size}`;
    case 'aborted-by-client':
      return `TFTP ${name} aborted by the client after ${formatBytes(t.bytes)}${why}`;
    case 'timeout':
      return `TFTP ${name} timed out after ${formatBytes(t.bytes)}${size}`;
    case 'not-found':
      return `TFTP ${name} not found`;
    case 'refused':
      return `TFTP ${name} refused${why}`;
    default:
      return `TFTP ${name} failed${why}`;
  }
}

/** TFTP transfers: a finished transfer and EDK2's size probe (error 8 after the OACK) are ok. */
export function fromTftp(transfers: TftpTransfer[]): TimelineEvent[] {
  return transfers.map((t) => ({
    at: t.at,
    source: 'tftp' as const,
    stage: 'tftp' as const,
    ok: t.outcome === 'done' || t.outcome === 'size-probe',
    summary: tftpSummary(t),
    ip: t.ip,
    detail: {
      file: t.file,
      resolved: t.resolved,
      outcome: t.outcome,
      bytes: t.bytes,
      tsize: t.tsize,
      blksize: t.blksize,
      duration_ms: t.duration_ms,
    },
  }));
}

const REFUSED_SCRIPT: Record<string, string> = {
  faulty: 'machine is faulty',
  'no-rfs': 'no root file server (rfs) for the machine',
  'no-profile': 'no boot profile for the machine',
};

type Mapped = Pick<TimelineEvent, 'stage' | 'ok' | 'summary'>;

function scriptEvent(e: NetbootEvent): Mapped {
  const why = e.detail ? ` (${e.detail})` : '';
  if (e.outcome === 'boot')
    return { stage: 'script', ok: true, summary: `boot script: profile ${e.profile ?? 'default'}` };
  if (e.outcome === 'local')
    return { stage: 'script', ok: true, summary: 'boot script: boot from the local disk' };
  if (e.outcome === 'unknown')
    return {
      stage: 'registration',
      ok: true,
      summary: 'boot script: unknown machine, registration menu',
    };
  const reason = REFUSED_SCRIPT[e.outcome] ?? e.outcome;
  return { stage: 'script', ok: false, summary: `boot script refused: ${reason}${why}` };
}

function registerEvent(e: NetbootEvent): Mapped {
  const why = e.detail ? `: ${e.detail}` : '';
  if (e.outcome === 'registered')
    return {
      stage: 'registration',
      ok: true,
      summary: `registered${e.detail ? ` as ${e.detail}` : ''}`,
    };
  if (e.outcome === 'closed')
    return { stage: 'registration', ok: false, summary: `registration closed${why}` };
  return { stage: 'registration', ok: false, summary: `registration ${e.outcome}${why}` };
}

function fileEvent(e: NetbootEvent): Mapped {
  const role = e.file_role ?? null;
  const name = e.path.split('/').pop() || e.path;
  const label = role ?? 'file';
  const queued = e.queued_ms ? ` (queued ${formatDuration(e.queued_ms)})` : '';
  const ok = e.outcome === 'done' && e.status < 400;
  const stage = role ?? 'script';
  if (ok) {
    const took = e.duration_ms === undefined ? '' : ` in ${formatDuration(e.duration_ms)}`;
    return { stage, ok, summary: `${label} ${name} ${formatBytes(e.bytes ?? 0)}${took}${queued}` };
  }
  const of = e.size ? ` of ${formatBytes(e.size)}` : '';
  const sent = e.bytes ? ` after ${formatBytes(e.bytes)}${of}` : '';
  return {
    stage,
    ok,
    summary: `${label} ${name}: ${e.outcome} (HTTP ${e.status})${sent}${queued}`,
  };
}

function netbootMapped(e: NetbootEvent): Mapped {
  switch (e.kind) {
    case 'bootstrap': {
      const ok = e.status < 400;
      const summary = ok ? 'iPXE bootstrap script' : `iPXE bootstrap failed (HTTP ${e.status})`;
      return { stage: 'bootstrap', ok, summary };
    }
    case 'script':
      return scriptEvent(e);
    case 'menu':
      return {
        stage: 'registration',
        ok: e.status < 400,
        summary: `registration menu: ${e.outcome}`,
      };
    case 'register':
      return registerEvent(e);
    default:
      return fileEvent(e);
  }
}

/** The netboot service's requests: scripts and registration (`netboot`), boot files (`files`). */
export function fromNetboot(events: NetbootEvent[]): TimelineEvent[] {
  return events.map((e) => {
    const { stage, ok, summary } = netbootMapped(e);
    const detail: Record<string, unknown> = { kind: e.kind, path: e.path, status: e.status };
    detail.outcome = e.outcome;
    if (e.mac) detail.mac = e.mac;
    if (e.detail) detail.note = e.detail;
    for (const key of ['profile', 'bytes', 'size', 'duration_ms', 'queued_ms'] as const) {
      if (e[key] !== undefined && e[key] !== null) detail[key] = e[key];
    }
    return {
      at: new Date(e.at).toISOString(),
      source: e.kind === 'file' ? ('files' as const) : ('netboot' as const),
      stage,
      ok,
      summary,
      ip: e.ip,
      detail,
    };
  });
}
