import type { BootStage, TimelineEvent } from './types.ts';

const own = (events: TimelineEvent[]) => events.filter((e) => e.detail?.system !== true);

function lastOf(events: TimelineEvent[], test: (e: TimelineEvent) => boolean) {
  for (let i = events.length - 1; i >= 0; i--) if (test(events[i]!)) return events[i];
  return undefined;
}

const dhcpType = (e: TimelineEvent) => String(e.detail?.type ?? '');
const note = (e: TimelineEvent) => (e.detail?.note ? String(e.detail.note) : null);

function dhcpVerdict(last: TimelineEvent, ipxe: boolean): string {
  const who = ipxe ? 'iPXE' : 'firmware';
  const type = dhcpType(last);
  const next = ipxe ? 'no bootstrap request' : 'no TFTP request';
  if (type === 'ACK') return `stopped after DHCP (${who}): ${next}`;
  if (type === 'NAK') return `DHCP NAK (${who}): ${note(last) ?? 'no message'}`;
  if (type === 'IGNORED') return `DHCP request ignored (${who}): ${note(last) ?? 'no reason'}`;
  if (type === 'OFFER') return `DHCP offered ${last.ip ?? 'an address'} (${who}), no REQUEST`;
  return `DHCP ${type} (${who}) unanswered`;
}

function tftpVerdict(last: TimelineEvent): string {
  const file = String(last.detail?.file ?? '?');
  switch (last.detail?.outcome) {
    case 'done':
      return `stopped after TFTP of ${file}: no iPXE DHCP request`;
    case 'size-probe':
      return `TFTP size probe of ${file}, no download`;
    default:
      return `TFTP stopped: ${last.summary.replace(/^TFTP /, '')}`;
  }
}

function registrationVerdict(events: TimelineEvent[]): string {
  const register = lastOf(events, (e) => e.detail?.kind === 'register');
  if (!register) return 'registration menu shown, no registration';
  if (register.ok) return `${register.summary}: no boot script since`;
  return register.summary;
}

function fileVerdict(events: TimelineEvent[], stage: 'kernel' | 'initrd'): string {
  const kernel = lastOf(events, (e) => e.stage === 'kernel');
  const initrd = lastOf(events, (e) => e.stage === 'initrd');
  const failed = [kernel, initrd].find((e) => e && !e.ok);
  if (failed) return `download failed: ${failed.summary}`;
  if (stage === 'kernel') return 'kernel loaded, no initrd request';
  return kernel ? 'initrd loaded, kernel not' : 'initrd loaded, no kernel request';
}

function scriptVerdict(events: TimelineEvent[], last: TimelineEvent): string {
  const script = lastOf(events, (e) => e.stage === 'script' && e.source === 'netboot') ?? last;
  if (!script.ok) return script.summary;
  if (script.detail?.outcome === 'local') return 'told to boot from the local disk';
  const profile = script.detail?.profile ? ` (profile ${String(script.detail.profile)})` : '';
  return `boot script served${profile}, no kernel request`;
}

/** A sentence saying where the boot got and where it stopped. */
export function verdictOf(all: TimelineEvent[], stage: BootStage | null): string {
  const events = own(all);
  if (stage === 'loaded') return 'kernel and initrd loaded: handed over to Linux';
  const last = lastOf(events, (e) => e.stage === stage);
  if (stage === null || !last) return 'no boot recorded';
  switch (stage) {
    case 'dhcp-firmware':
      return dhcpVerdict(last, false);
    case 'tftp':
      return tftpVerdict(last);
    case 'dhcp-ipxe':
      return dhcpVerdict(last, true);
    case 'bootstrap':
      return last.ok ? 'bootstrap served, no boot script request' : last.summary;
    case 'script':
      return scriptVerdict(events, last);
    case 'registration':
      return registrationVerdict(events);
    default:
      return fileVerdict(events, stage);
  }
}
