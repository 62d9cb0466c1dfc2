/** The steps of a network boot, in the order a boot goes through them. */
export const BOOT_STAGES = [
  'dhcp-firmware',
  'tftp',
  'dhcp-ipxe',
  'bootstrap',
  'script',
  'registration',
  'kernel',
  'initrd',
  'loaded',
] as const;

export type BootStage = (typeof BOOT_STAGES)[number];

/** Position of a stage in BOOT_STAGES (a boot "got further" when it is larger). */
export const stageRank = (stage: BootStage): number => BOOT_STAGES.indexOf(stage);

export interface TimelineEvent {
  /** ISO 8601. */
  at: string;
  source: 'dhcp' | 'tftp' | 'netboot' | 'files';
  stage: BootStage;
  /** This step succeeded (an ACK, a finished transfer, a script that boots). */
  ok: boolean;
  /** One line for humans: "DHCP ACK 192.168.0.11 (iPXE)", "TFTP undionly.kpxe 71 KiB in 40 ms". */
  summary: string;
  /** The client's address in this step, when known. */
  ip: string | null;
  detail?: Record<string, unknown>;
}

export interface BootSummary {
  started_at: string | null;
  last_at: string | null;
  /** The furthest stage reached (`loaded`: kernel and initrd both downloaded). */
  stage: BootStage | null;
  /** The boot reached its end: handed over to Linux, or told to boot the local disk. */
  ok: boolean;
  /** Where it got and where it stopped, as a sentence. */
  verdict: string;
  /** The last boot's events, oldest first. */
  events: TimelineEvent[];
}

/** One event of dhcp's `GET /api/v1/boot-events` (a request, or what the server did with it). */
export interface DhcpBootEvent {
  at: string;
  mac: string;
  /** DISCOVER, OFFER, REQUEST, ACK, NAK, RELEASE, DECLINE, INFORM, IGNORED. */
  type: string;
  xid: number;
  address: string | null;
  /** The client as dhcp classified it: `bios`, `uefi` (PXE firmware) or `ipxe`. */
  kind: string | null;
  relay: string | null;
  /** The boot file of a reply, the reason of an IGNORED, the message of a NAK. */
  detail: string | null;
}

export type TftpOutcome =
  | 'done'
  | 'size-probe'
  | 'aborted-by-client'
  | 'timeout'
  | 'not-found'
  | 'refused'
  | 'error';

/** One record of tftp's `GET /api/v1/transfers`. */
export interface TftpTransfer {
  /** Start of the transfer (the request), ISO 8601. */
  at: string;
  ip: string;
  /** As requested. */
  file: string;
  /** Under the root, after aliases; null when refused before. */
  resolved: string | null;
  blksize: number | null;
  /** File size told to the client (tsize option), null when not asked. */
  tsize: number | null;
  /** Bytes acknowledged by the client. */
  bytes: number;
  duration_ms: number;
  outcome: TftpOutcome;
  /** Refusal message, the client's ERROR message, the failure. */
  detail: string | null;
}

/** One HTTP request the netboot service answered, as its event log keeps it. */
export interface NetbootEvent {
  /** ms since the epoch. */
  at: number;
  ip: string;
  mac: string | null;
  kind: 'bootstrap' | 'script' | 'menu' | 'register' | 'file';
  path: string;
  status: number;
  /**
   * script: boot | unknown | faulty | no-rfs | no-profile | local; register: registered | refused
   * | closed | invalid | duplicate; menu: the step name; file: done | aborted | not-found |
   * queue-full | queue-timeout | ...
   */
  outcome: string;
  detail: string | null;
  profile?: string | null;
  bytes?: number;
  size?: number | null;
  duration_ms?: number;
  queued_ms?: number;
  file_role?: 'kernel' | 'initrd' | null;
}
