export type {
  BootFilesOptions,
  FileServerSpec,
  FileTransfer,
  TransferOutcome,
} from './options.ts';
export { type BootFilesRouter, bootFilesRouter } from './router.ts';
export type { SlotsState } from './slots.ts';
