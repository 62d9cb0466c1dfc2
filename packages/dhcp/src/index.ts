export * from './client-info.ts';
export * from './decode.ts';
export * from './encode.ts';
export * from './message.ts';
export * from './options.ts';
export * from './plan.ts';
