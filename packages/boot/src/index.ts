export { formatTimeline } from './format.ts';
export { fromDhcp, fromNetboot, fromTftp } from './sources.ts';
export { BOOT_GAP_MS, furthestStage, isLoaded, lastBoot, splitBoots } from './timeline.ts';
export * from './types.ts';
export { formatBytes, formatDuration } from './units.ts';
