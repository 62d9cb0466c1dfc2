export * from './defaults.ts';
export * from './hostname.ts';
export * from './ipv4.ts';
export * from './mac.ts';
export * from './machine.ts';
export * from './network.ts';
export * from './roles.ts';
export * from './settings.ts';
