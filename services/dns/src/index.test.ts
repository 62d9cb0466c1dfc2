import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { describe, expect, it } from 'vitest';
import { create, dnsConfigSchema } from './index.ts';

const deps = () => ({
  logger: createLogger('dns', { silent: true }),
  metrics: createMetricsRegistry(),
  token: () => 'x',
});

describe('create', () => {
  it('binds nothing and fails fast on bad deps or an unforkable workers setting', () => {
    const config = validateConfig('dns', dnsConfigSchema, { state_dir: '/tmp/none' });
    expect(typeof create(config, deps()).start).toBe('function');
    expect(() => create(config, { ...deps(), token: undefined as never })).toThrow('deps.token');
    const many = validateConfig('dns', dnsConfigSchema, { state_dir: '/tmp/none', workers: 2 });
    expect(() => create(many, deps())).toThrow('workers');
    expect(() => create(many, { ...deps(), canFork: true })).not.toThrow();
  });

  it('names the bad config field', () => {
    const bad = dnsConfigSchema.safeParse({ plan: { allow: ['10.0.0.1/8'] }, workers: 0 });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['plan.allow.0', 'workers']);
  });
});
