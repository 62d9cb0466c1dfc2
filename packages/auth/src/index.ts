export * from './middleware.ts';
export * from './passwords.ts';
export * from './presence-scopes.ts';
export * from './sha512-crypt.ts';
export * from './timeauth.ts';
export * from './tokens.ts';
