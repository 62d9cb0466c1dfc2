import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig, validateConfig } from './config.ts';

const root = mkdtempSync(join(tmpdir(), 'lanctl-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh directory holding `<name>.yml` with `text` (no file when text is null). */
function dirWith(name: string, text: string | null): string {
  const dir = join(root, `d${n++}`);
  mkdirSync(dir);
  if (text !== null) writeFileSync(join(dir, `${name}.yml`), text);
  return dir;
}

const schema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(20000),
      })
      .strict()
      .prefault({}),
    public_read: z.boolean().default(false),
    name: z.string().default('lan'),
    tags: z.array(z.string()).default([]),
  })
  .strict();

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fails on a missing explicit --config path, naming it', () => {
    const path = join(root, 'nope', 'mdb.yml');
    const e = configError(() => loadConfig('mdb', schema, { path, env: {} }));
    expect(e.name).toBe('ConfigError');
    expect(e.message).toBe(`${path}: config file does not exist`);
  });

  it('uses the defaults when the default file does not exist', () => {
    const dir = dirWith('mdb', null);
    expect(loadConfig('mdb', schema, { dir, env: {} })).toEqual({
      listen: { host: '127.0.0.1', port: 20000 },
      public_read: false,
      name: 'lan',
      tags: [],
    });
  });

  it('reads <dir>/<service>.yml', () => {
    const dir = dirWith('mdb', 'listen:\n  port: 0\nname: gcc\n');
    const config = loadConfig('mdb', schema, { dir, env: {} });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.name).toBe('gcc');
  });

  it('finds the file through LANCTL_CONFIG_DIR when no dir is given', () => {
    const dir = dirWith('mdb', 'name: from-env-dir\n');
    expect(loadConfig('mdb', schema, { env: { LANCTL_CONFIG_DIR: dir } }).name).toBe(
      'from-env-dir',
    );
  });

  it('prefers an explicit dir over LANCTL_CONFIG_DIR, and a path over both', () => {
    const a = dirWith('mdb', 'name: a\n');
    const b = dirWith('mdb', 'name: b\n');
    const c = dirWith('other', 'name: c\n');
    expect(loadConfig('mdb', schema, { dir: a, env: { LANCTL_CONFIG_DIR: b } }).name).toBe('a');
    const path = join(c, 'other.yml');
    expect(loadConfig('mdb', schema, { path, dir: a, env: { LANCTL_CONFIG_DIR: b } }).name).toBe(
      'c',
    );
  });

  it('treats an empty file as no settings', () => {
    expect(loadConfig('mdb', schema, { dir: dirWith('mdb', ''), env: {} }).name).toBe('lan');
    expect(
      loadConfig('mdb', schema, { dir: dirWith('mdb', '# only a comment\n'), env: {} }).name,
    ).toBe('lan');
  });

  it('names the file, the key path and the expectation of an invalid value', () => {
    const dir = dirWith('mdb', 'listen:\n  port: 70000\n');
    const e = configError(() => loadConfig('mdb', schema, { dir, env: {} }));
    expect(e.message).toContain(join(dir, 'mdb.yml'));
    expect(e.message).toContain('key "listen.port"');
    expect(e.message).toMatch(/65535/);
  });

  it('names unknown keys and wrong types, one line each', () => {
    const dir = dirWith('mdb', 'listen:\n  hots: x\npublic_read: "yes"\n');
    const e = configError(() => loadConfig('mdb', schema, { dir, env: {} }));
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith(`${join(dir, 'mdb.yml')}: key "`))).toBe(true);
    expect(e.message).toMatch(/key "listen": .*hots/);
    expect(e.message).toMatch(/key "public_read": .*boolean/);
  });

  it.each([
    ['invalid YAML', 'listen: [\n', /not valid YAML/],
    ['a list at the top level', '- a\n- b\n', /expected a mapping/],
    ['a scalar at the top level', 'just text\n', /expected a mapping/],
  ])('rejects %s, naming the file', (_what, text, message) => {
    const dir = dirWith('mdb', text);
    const e = configError(() => loadConfig('mdb', schema, { dir, env: {} }));
    expect(e.message).toContain(join(dir, 'mdb.yml'));
    expect(e.message).toMatch(message);
  });

  it('applies LANCTL_<SERVICE>_<KEY> and nested A__B overrides as YAML scalars', () => {
    const dir = dirWith('mdb', 'listen:\n  host: 10.0.0.1\n  port: 1\nname: file\n');
    const config = loadConfig('mdb', schema, {
      dir,
      env: {
        LANCTL_MDB_LISTEN__PORT: '0',
        LANCTL_MDB_PUBLIC_READ: 'true',
        LANCTL_MDB_NAME: "'0123'",
        LANCTL_MDB_TAGS: '[a, b]',
      },
    });
    expect(config).toEqual({
      listen: { host: '10.0.0.1', port: 0 },
      public_read: true,
      name: '0123',
      tags: ['a', 'b'],
    });
  });

  it('keeps a value that is not a valid YAML scalar as a string', () => {
    const config = loadConfig('mdb', schema, {
      dir: dirWith('mdb', null),
      env: { LANCTL_MDB_NAME: 'a: b: c' },
    });
    expect(config.name).toBe('a: b: c');
  });

  it('upper-cases the service and turns hyphens into underscores in the prefix', () => {
    const config = loadConfig('my-svc', schema, {
      dir: dirWith('my-svc', null),
      env: { LANCTL_MY_SVC_LISTEN__HOST: '::1', LANCTL_MDB_NAME: 'not mine' },
    });
    expect(config.listen.host).toBe('::1');
    expect(config.name).toBe('lan');
  });

  it('ignores other services and unrelated variables', () => {
    const config = loadConfig('mdb', schema, {
      dir: dirWith('mdb', null),
      env: {
        LANCTL_MDBX_NAME: 'x',
        LANCTL_DNS_NAME: 'y',
        LANCTL_CONFIG_DIR: '/nonexistent',
        MDB_NAME: 'z',
      },
    });
    expect(config.name).toBe('lan');
  });

  it('reports an invalid override with its key path', () => {
    const e = configError(() =>
      loadConfig('mdb', schema, {
        dir: dirWith('mdb', null),
        env: { LANCTL_MDB_LISTEN__PORT: 'x' },
      }),
    );
    expect(e.message).toMatch(/key "listen.port": .*number/);
  });

  it('layers base under the file and the file under the environment', () => {
    const dir = dirWith('mdb', 'listen:\n  port: 2\n');
    const config = loadConfig('mdb', schema, {
      dir,
      base: { listen: { host: 'base-host', port: 1 }, name: 'base' },
      env: { LANCTL_MDB_NAME: 'env' },
    });
    expect(config).toMatchObject({ listen: { host: 'base-host', port: 2 }, name: 'env' });
  });

  it('does not modify the base it was given', () => {
    const base = { listen: { port: 1 } };
    loadConfig('mdb', schema, { dir: dirWith('mdb', 'listen:\n  port: 2\n'), base, env: {} });
    expect(base).toEqual({ listen: { port: 1 } });
  });

  it('returns a deeply frozen result', () => {
    const config = loadConfig('mdb', schema, { dir: dirWith('mdb', 'tags: [a]\n'), env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.listen)).toBe(true);
    expect(Object.isFrozen(config.tags)).toBe(true);
    expect(() => {
      (config.listen as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  // A YAML `__proto__` key once reached Object.prototype through the merge; it is refused now.
  it('refuses a __proto__ key in a config file, which never reaches Object.prototype', () => {
    const dir = dirWith('mdb', '__proto__:\n  lanctlPollutionProbe: yes\n');
    try {
      expect(() => loadConfig('mdb', schema.passthrough(), { dir, env: {} })).toThrow(
        /"__proto__" is not allowed/,
      );
    } finally {
      const polluted = (Object.prototype as Record<string, unknown>).lanctlPollutionProbe;
      delete (Object.prototype as Record<string, unknown>).lanctlPollutionProbe;
      expect(polluted).toBeUndefined();
    }
  });
});

describe('validateConfig', () => {
  it('validates and freezes a raw object', () => {
    const config = validateConfig('inline', schema, { name: 'x' });
    expect(config.name).toBe('x');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names the source and "(top level)" for a non-object', () => {
    const e = configError(() => validateConfig('/etc/lanctl/mdb.yml', schema, 42));
    expect(e.message).toMatch(/^\/etc\/lanctl\/mdb\.yml: key "\(top level\)": /);
  });

  it('names array indexes in the key path', () => {
    const e = configError(() => validateConfig('src', schema, { tags: ['ok', 3] }));
    expect(e.message).toMatch(/^src: key "tags\.1": /);
  });
});
