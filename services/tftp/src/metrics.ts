import { Counter, Gauge, Histogram, type Registry } from '@lanctl/core';

/** Failure reasons of a started transfer (`lanctl_tftp_transfers_failed_total{reason}`). */
export type FailReason = 'timeout' | 'client_abort' | 'client_error' | 'send_error' | 'shutdown';

export interface TftpMetrics {
  started: Counter<string>;
  completed: Counter<string>;
  failed: Counter<'reason'>;
  refused: Counter<'reason'>;
  dropped: Counter<'reason'>;
  sentBytes: Counter<string>;
  retransmissions: Counter<string>;
  active: Gauge<string>;
  duration: Histogram<string>;
}

/** The daemon's metrics, registered in the registry it is given (none at import). */
export function createTftpMetrics(registry: Registry): TftpMetrics {
  const registers = [registry];
  return {
    started: new Counter({
      name: 'lanctl_tftp_transfers_started_total',
      help: 'Read transfers started (request accepted, file read)',
      registers,
    }),
    completed: new Counter({
      name: 'lanctl_tftp_transfers_completed_total',
      help: 'Read transfers whose last block was acknowledged',
      registers,
    }),
    failed: new Counter({
      name: 'lanctl_tftp_transfers_failed_total',
      help: 'Read transfers ended before the last block was acknowledged, by reason',
      labelNames: ['reason'],
      registers,
    }),
    refused: new Counter({
      name: 'lanctl_tftp_requests_refused_total',
      help: 'Requests answered with an ERROR packet, by reason',
      labelNames: ['reason'],
      registers,
    }),
    dropped: new Counter({
      name: 'lanctl_tftp_packets_dropped_total',
      help: 'Datagrams dropped without a transfer change, by reason',
      labelNames: ['reason'],
      registers,
    }),
    sentBytes: new Counter({
      name: 'lanctl_tftp_sent_bytes_total',
      help: 'File bytes sent in DATA packets, retransmissions included',
      registers,
    }),
    retransmissions: new Counter({
      name: 'lanctl_tftp_retransmissions_total',
      help: 'Packets sent again after an acknowledgement timeout',
      registers,
    }),
    active: new Gauge({
      name: 'lanctl_tftp_active_transfers',
      help: 'Transfers in progress',
      registers,
    }),
    duration: new Histogram({
      name: 'lanctl_tftp_transfer_duration_seconds',
      help: 'Duration of completed transfers',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    }),
  };
}
