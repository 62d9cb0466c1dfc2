export { type EventLog, type EventLogOptions, openEventLog } from './event-log.ts';
export { type MachineBoot, machineBoot } from './machine-boot.ts';
export { DEFAULT_WINDOW_MS, type TimelineDeps, timelineRouter } from './router.ts';
export { SOURCE_TIMEOUT_MS, type Source } from './sources.ts';
