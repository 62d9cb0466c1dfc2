export * from './client.ts';
export * from './follower.ts';
export * from './hub.ts';
export * from './log.ts';
export * from './owner.ts';
export * from './server.ts';
export * from './wire.ts';
