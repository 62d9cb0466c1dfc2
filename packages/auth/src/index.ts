export * from './middleware.ts';
export * from './tokens.ts';
