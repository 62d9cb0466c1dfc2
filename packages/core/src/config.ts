import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/** Raised when a configuration cannot be used; the message names the file, the key and the expectation. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Explicit `--config` path; when given, the file must exist. */
  path?: string;
  /** Environment to read `LANCTL_*` overrides from (defaults to `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Directory searched for `<service>.yml` when no path is given. */
  dir?: string;
  /** Values layered under the file (e.g. what `lanctl start` derives from `--data`). */
  base?: Record<string, unknown>;
}

export const DEFAULT_CONFIG_DIR = '/etc/lanctl';

/**
 * Loads `<dir>/<service>.yml` (or `--config`), applies `LANCTL_<SERVICE>_<KEY>` overrides
 * (`__` separates nested keys), validates with the service's zod schema and freezes the result.
 */
export function loadConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  options: LoadConfigOptions = {},
): Readonly<z.output<S>> {
  const env = options.env ?? process.env;
  const path =
    options.path ?? `${options.dir ?? env.LANCTL_CONFIG_DIR ?? DEFAULT_CONFIG_DIR}/${service}.yml`;
  const raw: Record<string, unknown> = structuredClone(options.base ?? {});
  if (existsSync(path)) {
    mergeInto(raw, readYamlObject(path));
  } else if (options.path) {
    throw new ConfigError(`${path}: config file does not exist`);
  }
  applyEnvOverrides(raw, service, env);
  return validateConfig(path, schema, raw);
}

export function validateConfig<S extends z.ZodType>(
  source: string,
  schema: S,
  raw: unknown,
): Readonly<z.output<S>> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.length ? issue.path.join('.') : '(top level)';
      return `${source}: key "${key}": ${issue.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  return deepFreeze(result.data);
}

function readYamlObject(path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path}: not valid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`${path}: expected a mapping of keys at the top level`);
  }
  const forbidden = findForbiddenKey(doc, '');
  if (forbidden) throw new ConfigError(`${path}: key "${forbidden}" is not allowed`);
  return doc as Record<string, unknown>;
}

/** Keys that would reach Object.prototype when merged; no config of ours uses them. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function findForbiddenKey(value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const key of Object.keys(value)) {
    const child = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return child;
    const hit = findForbiddenKey((value as Record<string, unknown>)[key], child);
    if (hit) return hit;
  }
  return null;
}

function applyEnvOverrides(
  target: Record<string, unknown>,
  service: string,
  env: NodeJS.ProcessEnv,
) {
  const prefix = `LANCTL_${service.toUpperCase().replace(/-/g, '_')}_`;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined) continue;
    const path = name.slice(prefix.length).toLowerCase().split('__');
    if (path.some((key) => FORBIDDEN_KEYS.has(key) || key === '')) {
      throw new ConfigError(`environment variable ${name}: not a valid config key path`);
    }
    setPath(target, path, parseScalar(value));
  }
}

/** Env values are YAML scalars, so `LANCTL_MDB_PORT=0` is a number and `...=true` a boolean. */
function parseScalar(value: string): unknown {
  try {
    return parseYaml(value);
  } catch {
    return value;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>) {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isPlainObject(current) && isPlainObject(value)) mergeInto(current, value);
    else target[key] = value;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
